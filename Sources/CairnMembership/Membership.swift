/// Cluster membership as sans-IO state machines: the gossiped cluster state (members, ring and its epoch,
/// pending transfers, table catalog), staged join/leave plans, and failure detection. Messages and timer ticks
/// go in, directives come out; the node shell performs them.
public enum Membership {}
