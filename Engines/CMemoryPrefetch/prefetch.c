// The prefetch hint lives in include/cairn_prefetch.h as a static inline function; SwiftPM needs one C file.
#include "cairn_prefetch.h"
