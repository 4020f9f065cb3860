# sketch-merge: the merge stage of scale-out. It runs distinct-count's
# engine (the same sources, not a copy) on partials instead of frames.
pkglib_LTLIBRARIES += plugins/sketch-merge/sketch-merge.la
plugins_sketch_merge_sketch_merge_la_SOURCES = $(DC_SOURCES) plugins/sketch-merge/sketch_merge.c
plugins_sketch_merge_sketch_merge_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/distinct-count
plugins_sketch_merge_sketch_merge_la_LIBADD = lib/libsluice-support.la -lm
plugins_sketch_merge_sketch_merge_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)
EXTRA_DIST += plugins/sketch-merge/README.md
