import CairnReplication
import CairnSimulator
import Foundation
import Testing

#if CAIRN_MUTATIONS
/// The simulator's self-test: each deliberate bug in the core must make some default seed fail.
@Suite("Mutation suite")
struct MutationSuiteTests {
    /// Seeds tried per mutation: the default seeds CI runs (stopping at the first that fails).
    static let seedsMax = UInt64(SimulatorSeedTests.seedCount)

    @Test("every deliberate bug is caught within the default seeds", arguments: CoreMutation.deliberateBugs)
    func mutationIsCaught(mutation: CoreMutation) throws {
        var caught: (seed: UInt64, failure: String)?
        for seed in SimulatorSeedTests.firstSeed..<(SimulatorSeedTests.firstSeed + Self.seedsMax) {
            var options = SimulationOptions.forSeed(seed)
            options.mutation = mutation
            let simulation = try Simulation(options)
            let failures: [String]
            do { failures = try simulation.run() } catch { failures = ["run stopped: \(error)"] }
            if let first = failures.first {
                caught = (seed, first)
                break
            }
        }
        if let caught { print("mutation \(mutation) caught at seed \(caught.seed): \(caught.failure)") }
        #expect(caught != nil, "no default seed noticed the mutation \(mutation)")
    }
}
#endif
