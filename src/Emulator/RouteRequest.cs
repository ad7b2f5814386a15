using System.Diagnostics.CodeAnalysis;

namespace Vespa.Emulator;

/// <summary>A <c>POST /route/</c> body (vast-protocol.md §7.2):
/// <c>{"endpoint", "api_key"?, "cost", "request_idx"?, "replay_timeout"?}</c>; other keys are ignored.</summary>
internal sealed class RouteRequest
{
    private RouteRequest(string endpoint, string? apiKey, double cost, long requestIdx)
    {
        Endpoint = endpoint;
        ApiKey = apiKey;
        Cost = cost;
        RequestIdx = requestIdx;
    }

    public string Endpoint { get; }

    public string? ApiKey { get; }

    public double Cost { get; }

    /// <summary>0 for a new request, or the id a retry keeps.</summary>
    public long RequestIdx { get; }

    public static bool TryParse(string json, [NotNullWhen(true)] out RouteRequest? request, [NotNullWhen(false)] out string? error)
    {
        request = null;
        if (!ReportFieldReader.TryParseObject(json, out var document, out error))
        {
            return false;
        }

        using (document)
        {
            string? endpoint = null;
            string? apiKey = null;
            double cost = double.NaN;
            long requestIdx = 0;
            double replayTimeout = 0;
            foreach (var property in document!.RootElement.EnumerateObject())
            {
                var value = property.Value;
                var ok = property.Name switch
                {
                    "endpoint" => ReportFieldReader.TryReadString(value, "endpoint", ref endpoint, out error),
                    "api_key" => ReportFieldReader.TryReadString(value, "api_key", ref apiKey, out error),
                    "cost" => ReportFieldReader.TryReadNumber(value, "cost", ref cost, out error),
                    "request_idx" => ReportFieldReader.TryReadInteger(value, "request_idx", ref requestIdx, out error),
                    // Sent by the SDK (always 60.0); its server-side meaning is undocumented, so it is only type-checked.
                    "replay_timeout" => ReportFieldReader.TryReadNumber(value, "replay_timeout", ref replayTimeout, out error),
                    _ => true,
                };
                if (!ok)
                {
                    error ??= "invalid field '" + property.Name + "'";
                    return false;
                }
            }

            if (string.IsNullOrEmpty(endpoint))
            {
                error = "missing 'endpoint' (the endpoint name)";
                return false;
            }

            if (double.IsNaN(cost) || cost < 0)
            {
                error = "'cost' must be a number >= 0";
                return false;
            }

            if (requestIdx < 0)
            {
                error = "'request_idx' must not be negative";
                return false;
            }

            request = new RouteRequest(endpoint, apiKey, cost, requestIdx);
            error = null;
            return true;
        }
    }
}
