/// A node's name in the cluster, stable across restarts (for example `n1` or a host name).
public struct NodeID: Hashable, Comparable, Codable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let name: String

    public init(_ name: String) {
        precondition(!name.isEmpty && name.utf8.count <= NodeID.nameBytesMax, "node names are 1…\(NodeID.nameBytesMax) bytes")
        self.name = name
    }

    public init(stringLiteral name: String) { self.init(name) }

    /// Longest node name, in bytes.
    public static let nameBytesMax = 128

    public static func < (left: NodeID, right: NodeID) -> Bool { left.name < right.name }
    public var description: String { name }
}
