import CairnSimulator
import Foundation
import Testing

/// The paper's examples as scripts with expected output (`testdata/*.txt`), run like etcd-io/raft's
/// datadriven tests. `CAIRN_REWRITE_SCENARIOS=1` rewrites the expected output from what the code prints.
@Suite("Scenarios")
struct ScenarioTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("testdata")

    @Test("scenario scripts print what they expect", arguments: ["shopping-cart", "node-down-during-put", "hinted-handoff"])
    func scenario(name: String) throws {
        let file = Self.directory.appendingPathComponent(name + ".txt")
        let script = try String(contentsOf: file, encoding: .utf8)
        let cluster = ScenarioCluster()
        var rewritten = ""
        var mismatches: [String] = []
        for block in ScriptBlock.parse(script) {
            rewritten += block.leadingText
            guard let command = block.command else { continue }
            let actual = try cluster.run(command)
            if actual != block.expected {
                mismatches.append("\(name): `\(command)`\n  expected: \(block.expected)\n  actual:   \(actual)")
            }
            rewritten += command + "\n----\n" + actual + "\n\n"
        }
        if ProcessInfo.processInfo.environment["CAIRN_REWRITE_SCENARIOS"] == "1" {
            try rewritten.write(to: file, atomically: true, encoding: .utf8)
        } else {
            #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        }
    }
}

/// One command of a script with its expected output, plus the comments and blank lines before it.
struct ScriptBlock {
    var leadingText: String
    var command: String?
    var expected: String

    static func parse(_ script: String) -> [ScriptBlock] {
        var blocks: [ScriptBlock] = []
        var leading = ""
        var lines = script.components(separatedBy: "\n")[...]
        while let line = lines.popFirst() {
            if line.hasPrefix("#") || line.trimmingCharacters(in: .whitespaces).isEmpty {
                if !line.isEmpty || !leading.isEmpty { leading += line + "\n" }
                continue
            }
            var expected: [String] = []
            if lines.first == "----" {
                lines.removeFirst()
                while let next = lines.first, !next.isEmpty {
                    expected.append(next)
                    lines.removeFirst()
                }
            }
            blocks.append(ScriptBlock(leadingText: leading, command: line, expected: expected.joined(separator: "\n")))
            leading = ""
        }
        if !leading.isEmpty { blocks.append(ScriptBlock(leadingText: leading, command: nil, expected: "")) }
        return blocks
    }
}
