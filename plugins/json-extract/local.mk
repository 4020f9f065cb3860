# json-extract plugin (to be filled in)
