import CairnSimulator
import CairnStorage
import MemoryEngine
import Testing

/// The simulated disk plays the failures the simulator relies on: it must lose exactly what a power loss loses.
@Suite("Simulated disk")
struct SimulatedDiskTests {
    @Test("a power loss drops the writes since the last sync; a process crash keeps them")
    func powerLossDropsUnsyncedWrites() throws {
        let disk = SimulatedDisk(MemoryEngine(), losesUnsyncedWrites: true)
        try disk.put([1], [10])
        try disk.sync()
        try disk.put([2], [20])
        try disk.delete([1])
        #expect(try disk.get([2]) == [20], "unsynced writes are readable before the crash")
        #expect(try disk.get([1]) == nil)
        try disk.crash(losingUnsynced: true, tearingLast: false)
        #expect(try disk.get([1]) == [10])
        #expect(try disk.get([2]) == nil)

        try disk.put([3], [30])
        try disk.crash(losingUnsynced: false, tearingLast: false)
        #expect(try disk.get([3]) == [30])
    }

    @Test("a torn write leaves half the last unsynced value on disk")
    func tornWrite() throws {
        let disk = SimulatedDisk(MemoryEngine(), losesUnsyncedWrites: true)
        try disk.put([1], [1, 2, 3, 4])
        try disk.crash(losingUnsynced: true, tearingLast: true)
        #expect(try disk.get([1]) == [1, 2])
    }

    @Test("scans lay unsynced writes over the durable entries")
    func scanSeesUnsyncedWrites() throws {
        let disk = SimulatedDisk(MemoryEngine(), losesUnsyncedWrites: true)
        try disk.put([1], [10])
        try disk.put([3], [30])
        try disk.sync()
        try disk.put([2], [20])
        try disk.delete([3])
        #expect(try disk.entries().map(\.key) == [[1], [2]])
        #expect(try disk.entries(in: KeyRange(from: [2])).map(\.key) == [[2]])
    }

    @Test("a failing disk throws a storage error on the chosen operation only")
    func failingOperations() throws {
        let disk = SimulatedDisk(MemoryEngine(), losesUnsyncedWrites: false)
        try disk.put([1], [10])
        disk.failing = [.write]
        #expect(throws: StorageError.self) { try disk.put([2], [20]) }
        #expect(try disk.get([1]) == [10])
        disk.failing = [.read]
        #expect(throws: StorageError.self) { try disk.get([1]) }
        try disk.put([2], [20])
        disk.failing = []
        #expect(try disk.get([2]) == [20])
    }
}
