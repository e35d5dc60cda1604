#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CairnStorage
import Testing

@testable import MemoryEngine

/// The cache of freed large-value mappings: reuse by exact length, and never more than its byte limit kept.
@Suite("Memory engine: mapping cache")
struct MappingCacheTests {
    static let length = 256 << 10

    @Test("a kept mapping comes back for its own length only, most recent first, within cachedBytesMax")
    func keepsWithinLimit() {
        let cache = MappingCache(cachedBytesMax: 3 * Self.length)
        let mappings = (0..<4).map { _ in LargeValueStorage.map(Self.length) }
        #expect(cache.keep(mappings[0], length: Self.length))
        #expect(cache.keep(mappings[1], length: Self.length))
        #expect(cache.keep(mappings[2], length: Self.length))
        // The fourth would pass the limit: refused, so the caller unmaps it.
        #expect(!cache.keep(mappings[3], length: Self.length))
        munmap(mappings[3], Self.length)
        #expect(cache.cachedBytes == 3 * Self.length)
        #expect(cache.take(length: Self.length + LargeValueStorage.pageBytes) == nil)
        #expect(cache.take(length: Self.length) == mappings[2])
        #expect(cache.cachedBytes == 2 * Self.length)
        // A taken mapping is writable whole, and its room may be kept again.
        mappings[2].initializeMemory(as: UInt8.self, repeating: 0xAB, count: Self.length)
        #expect(cache.keep(mappings[2], length: Self.length))
        #expect(cache.take(length: Self.length) == mappings[2])
        #expect(cache.take(length: Self.length) == mappings[1])
        #expect(cache.take(length: Self.length) == mappings[0])
        #expect(cache.take(length: Self.length) == nil)
        #expect(cache.cachedBytes == 0)
        for mapping in mappings.prefix(3) { munmap(mapping, Self.length) }
    }

    @Test("a cache with no room keeps nothing")
    func zeroLimitKeepsNothing() {
        let cache = MappingCache(cachedBytesMax: 0)
        let mapping = LargeValueStorage.map(Self.length)
        #expect(!cache.keep(mapping, length: Self.length))
        #expect(cache.cachedBytes == 0)
        munmap(mapping, Self.length)
    }

    @Test("a deleted large value's mapping holds the next value of its size, whole")
    func engineReusesFreedMapping() throws {
        let engine = MemoryEngine()
        defer { try? engine.close() }
        // A length no other test maps, so tests running alongside do not take the freed mapping first.
        let valueBytes = 301 * LargeValueStorage.pageBytes - 17
        let first = Bytes((0..<valueBytes).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let second = Bytes((0..<valueBytes).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) })
        try engine.put(Bytes("a".utf8), first)
        let freedAt = try engine.withValue(forKey: Bytes("a".utf8)) { $0?.baseAddress }
        try engine.delete(Bytes("a".utf8))
        // The freed mapping went to the cache, not back to the kernel (which might hand out the same address).
        let length = LargeValueStorage.mappedLength(valueBytes)
        let cached = MappingCache.shared.take(length: length)
        #expect(cached != nil && cached == freedAt.map { UnsafeMutableRawPointer(mutating: $0) })
        if let cached { #expect(MappingCache.shared.keep(cached, length: length)) }
        try engine.put(Bytes("b".utf8), second)
        let reusedAt = try engine.withValue(forKey: Bytes("b".utf8)) { $0?.baseAddress }
        #expect(freedAt != nil && reusedAt == freedAt)
        #expect(try engine.get(Bytes("b".utf8)) == second)
    }
}
