# kafka-out plugin (to be filled in)
