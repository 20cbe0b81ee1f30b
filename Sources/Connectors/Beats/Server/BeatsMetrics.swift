import Metrics

/// The beats input's swift-metrics instruments, labelled with the connector instance
/// (`connector="beats"`). Per-connection figures go to the log line written when a
/// connection closes: a label per client address would grow without bound.
struct BeatsMetrics: Sendable {
    /// Events appended (`sluice_beats_events_total`).
    let events: Counter
    /// Event bytes appended, JSON as stored (`sluice_beats_event_bytes_total`).
    let bytes: Counter
    /// Windows acknowledged (`sluice_beats_windows_total`).
    let windows: Counter
    /// Ack frames sent for windows (`sluice_beats_acks_total`).
    let acks: Counter
    /// Keepalive acks sent while windows were written (`sluice_beats_keepalives_total`).
    let keepalives: Counter
    /// Connections closed by an error: protocol, limit, I/O or append (`sluice_beats_errors_total`).
    let errors: Counter
    /// Connections accepted (`sluice_beats_connections_total`).
    let connections: Counter
    /// Connections open now (`sluice_beats_open_connections`).
    let openConnections: Meter

    init(instance: String) {
        let dimensions = [("connector", instance)]
        events = Counter(label: "sluice_beats_events_total", dimensions: dimensions)
        bytes = Counter(label: "sluice_beats_event_bytes_total", dimensions: dimensions)
        windows = Counter(label: "sluice_beats_windows_total", dimensions: dimensions)
        acks = Counter(label: "sluice_beats_acks_total", dimensions: dimensions)
        keepalives = Counter(label: "sluice_beats_keepalives_total", dimensions: dimensions)
        errors = Counter(label: "sluice_beats_errors_total", dimensions: dimensions)
        connections = Counter(label: "sluice_beats_connections_total", dimensions: dimensions)
        openConnections = Meter(label: "sluice_beats_open_connections", dimensions: dimensions)
    }
}
