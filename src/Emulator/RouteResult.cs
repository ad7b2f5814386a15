using System.Text.Json;
using Vespa.Core.Envelopes;

namespace Vespa.Emulator;

/// <summary>
/// A <c>/route/</c> answer (vast-protocol.md §7.2). READY (<see cref="IsReady"/>): a worker URL and signed auth data,
/// <c>{"endpoint", "url", "cost", "reqnum", "signature", "request_idx", "__request_id"}</c>. WAITING: no URL,
/// <c>{"endpoint", "status", "__request_id", "request_idx"}</c>.
/// </summary>
public sealed class RouteResult
{
    /// <summary>The WAITING status text when no worker is eligible.</summary>
    public const string NoWorkersReady = "no workers ready";

    private RouteResult(string endpoint, long requestIdx, string requestId, string? status, AuthData? authData, double cost)
    {
        Endpoint = endpoint;
        RequestIdx = requestIdx;
        RequestId = requestId;
        Status = status;
        AuthData = authData;
        Cost = cost;
    }

    /// <summary>Whether a worker was picked (the answer has a <c>url</c>).</summary>
    public bool IsReady => AuthData is not null;

    /// <summary>The endpoint name.</summary>
    public string Endpoint { get; }

    /// <summary>The picked worker's base URL; <c>null</c> when WAITING.</summary>
    public string? Url => AuthData?.UrlText;

    /// <summary>The WAITING status text; <c>null</c> when READY.</summary>
    public string? Status { get; }

    /// <summary>The workload asked for.</summary>
    public double Cost { get; }

    /// <summary>The route counter signed with a READY answer (1, 2, 3…); 0 when WAITING.</summary>
    public long Reqnum => AuthData?.ReqnumValue ?? 0;

    /// <summary>The request id: the one asked for when non-zero (a retry keeps it), otherwise a new one.</summary>
    public long RequestIdx { get; }

    /// <summary><c>__request_id</c>: unique per answer.</summary>
    public string RequestId { get; }

    /// <summary>The base64 signature; <c>null</c> when WAITING.</summary>
    public string? Signature => AuthData?.SignatureText;

    /// <summary>The signed six fields, as a client puts them into a request envelope's <c>auth_data</c>; <c>null</c>
    /// when WAITING.</summary>
    public AuthData? AuthData { get; }

    internal static RouteResult Ready(AuthData signed, double cost, long requestIdx, string requestId) =>
        new(signed.EndpointText ?? "", requestIdx, requestId, status: null, signed, cost);

    internal static RouteResult Waiting(string endpoint, double cost, long requestIdx, string requestId, string status) =>
        new(endpoint, requestIdx, requestId, status, authData: null, cost);

    /// <summary>Writes the answer body. Numbers are written from the signed values so the legacy scheme's message
    /// (which covers the cost token, <c>100.0</c>) is what a client reads back.</summary>
    internal void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("endpoint", Endpoint);
        if (AuthData is { } auth)
        {
            writer.WritePropertyName("url");
            auth.Url.WriteTo(writer);
            writer.WritePropertyName("cost");
            auth.Cost.WriteTo(writer);
            writer.WritePropertyName("reqnum");
            auth.Reqnum.WriteTo(writer);
            writer.WritePropertyName("signature");
            auth.Signature.WriteTo(writer);
            writer.WritePropertyName("request_idx");
            auth.RequestIdx.WriteTo(writer);
            writer.WriteString("__request_id", RequestId);
        }
        else
        {
            writer.WriteString("status", Status);
            writer.WriteString("__request_id", RequestId);
            writer.WriteNumber("request_idx", RequestIdx);
        }

        writer.WriteEndObject();
    }

    public override string ToString() =>
        IsReady ? $"READY {Endpoint} -> {Url} reqnum={Reqnum} request_idx={RequestIdx}" : $"WAITING {Endpoint} ({Status}) request_idx={RequestIdx}";
}
