# One folder per plugin, each with its own fragment, and kafka-common (what
# the two Kafka plugins share; before them, as they link it).
include $(srcdir)/plugins/stdin/local.mk
include $(srcdir)/plugins/generate/local.mk
include $(srcdir)/plugins/json-extract/local.mk
include $(srcdir)/plugins/distinct-count/local.mk
include $(srcdir)/plugins/stdout/local.mk
include $(srcdir)/plugins/kafka-common/local.mk
include $(srcdir)/plugins/kafka-in/local.mk
include $(srcdir)/plugins/kafka-out/local.mk
include $(srcdir)/plugins/sketch-merge/local.mk
