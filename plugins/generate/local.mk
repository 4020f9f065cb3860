# generate plugin (to be filled in)
