# distinct-count plugin (to be filled in)
