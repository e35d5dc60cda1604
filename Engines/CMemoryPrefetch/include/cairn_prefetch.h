#ifndef CAIRN_PREFETCH_H
#define CAIRN_PREFETCH_H

/// Asks the processor to start loading the cache line at `address` for reading; a hint with no effect on results.
static inline void cairn_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
