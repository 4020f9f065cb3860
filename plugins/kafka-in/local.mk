# kafka-in plugin (to be filled in)
