namespace ComplianceBot.Operations;

/// <summary>Telemetry: OpenTelemetry traces and metrics, exported over OTLP only when an endpoint is set.</summary>
public sealed class TelemetryOptions
{
    /// <summary>The collector, e.g. http://otel-collector:4318 (http/protobuf) or :4317 with Protocol Grpc. Empty: nothing is exported, no connection is made.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary><c>HttpProtobuf</c> (default) or <c>Grpc</c>.</summary>
    public string Protocol { get; set; } = "HttpProtobuf";

    /// <summary>Extra OTLP headers, e.g. "api-key=…" (the OTEL_EXPORTER_OTLP_HEADERS format).</summary>
    public string? Headers { get; set; }

    /// <summary>How often metrics are exported.</summary>
    public TimeSpan MetricExportInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the outbox's depth and age are measured.</summary>
    public TimeSpan OutboxSampleInterval { get; set; } = TimeSpan.FromSeconds(15);

    public string ServiceName { get; set; } = "compliancebot";
}
