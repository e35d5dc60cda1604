/// What a read (or a write with `returnbody=true`) found. `context` is the opaque base64 `X-Cairn-Context`: send it
/// back unchanged with the next put or delete of the key.
public enum ReadResult: Sendable, Hashable {
    /// 200: one value.
    case value([UInt8], context: String)
    /// 300: concurrent siblings; a put with this context supersedes all of them.
    case siblings([[UInt8]], context: String)
    /// 404: nothing there; `context` is the tombstone's when the key was deleted, nil when never written.
    case notFound(context: String?)

    /// The context to send with the next write of the key, if any.
    public var context: String? {
        switch self {
        case .value(_, let context), .siblings(_, let context): context
        case .notFound(let context): context
        }
    }
}

/// Per-request quorum overrides; nil leaves the table's own setting.
public struct ReadOptions: Sendable, Hashable {
    /// `r`: replies needed (1…N).
    public var r: Int?
    /// `pr`: replies that must come from primary replicas.
    public var pr: Int?

    public init(r: Int? = nil, pr: Int? = nil) {
        self.r = r
        self.pr = pr
    }
}

/// Per-request write options; nil leaves the table's own setting.
public struct WriteOptions: Sendable, Hashable {
    /// `w`: acknowledgements needed (1…N).
    public var w: Int?
    /// `pw`: acknowledgements that must come from primary replicas.
    public var pw: Int?
    /// `returnbody=true`: answer with the key as a read would.
    public var returnBody: Bool

    public init(w: Int? = nil, pw: Int? = nil, returnBody: Bool = false) {
        self.w = w
        self.pw = pw
        self.returnBody = returnBody
    }
}
