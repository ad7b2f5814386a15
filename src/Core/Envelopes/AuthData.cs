using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Vespa.Core.Json;

namespace Vespa.Core.Envelopes;

/// <summary>
/// The six <c>auth_data</c> fields of a request envelope (vast-protocol.md §1.1), kept as JSON values exactly as
/// they arrived so that re-serialising them reproduces what the autoscaler signed (a number token <c>100</c> and
/// <c>100.0</c> sign differently under the legacy scheme).
/// </summary>
/// <remarks>
/// Like the Python worker, construction checks that the keys are present, not their types (only their size and nesting,
/// <see cref="AuthDataShape"/>, which the Python worker does not bound): the SDK declares
/// <c>cost</c> a <c>str</c> while the autoscaler sends a number. The typed accessors return <c>null</c> when a value
/// has no usable type. All elements own their bytes (they outlive the document they were read from).
/// </remarks>
public sealed class AuthData
{
    /// <summary>The wire names of the six fields, in sorted order.</summary>
    public static IReadOnlyList<string> FieldNames { get; } = ["cost", "endpoint", "reqnum", "request_idx", "signature", "url"];

    // Indexes into FieldNames in the order of the SDK's AuthData dataclass fields.
    private static readonly int[] PythonFieldOrder = [4, 0, 1, 2, 5, 3];

    /// <summary>The error text for a key that is absent (the Python worker's wording).</summary>
    public const string MissingParameter = "missing parameter";

    /// <summary>The error text for an <c>auth_data</c> value that is not a JSON object.</summary>
    public const string NotAnObject = "must be a JSON object";

    /// <summary>The error text for a query value that is not a JSON number.</summary>
    public const string NotANumber = "must be a number";

    private AuthData(JsonElement cost, JsonElement endpoint, JsonElement reqnum, JsonElement requestIdx, JsonElement signature, JsonElement url)
    {
        Cost = cost;
        Endpoint = endpoint;
        Reqnum = reqnum;
        RequestIdx = requestIdx;
        Signature = signature;
        Url = url;
    }

    /// <summary><c>cost</c>: a number in practice (the workload the autoscaler charges), any JSON value on the wire.</summary>
    public JsonElement Cost { get; }

    /// <summary><c>endpoint</c>: the endpoint name (not a path), or the request path in the query form.</summary>
    public JsonElement Endpoint { get; }

    /// <summary><c>reqnum</c>: the autoscaler's per-route counter.</summary>
    public JsonElement Reqnum { get; }

    /// <summary><c>request_idx</c>: the autoscaler's request id, echoed in reports.</summary>
    public JsonElement RequestIdx { get; }

    /// <summary><c>signature</c>: base64 of the RSA signature.</summary>
    public JsonElement Signature { get; }

    /// <summary><c>url</c>: the worker's public base URL, the only signed field under the current scheme.</summary>
    public JsonElement Url { get; }

    /// <summary>The signature text, or <c>null</c> when it is not a JSON string.</summary>
    public string? SignatureText => AsString(Signature);

    /// <summary>The URL text, or <c>null</c> when it is not a JSON string.</summary>
    public string? UrlText => AsString(Url);

    /// <summary>The endpoint text, or <c>null</c> when it is not a JSON string.</summary>
    public string? EndpointText => AsString(Endpoint);

    /// <summary>The cost as a finite number: a JSON number or a numeric string; otherwise <c>null</c>.</summary>
    public double? CostValue
    {
        get
        {
            double value;
            switch (Cost.ValueKind)
            {
                case JsonValueKind.Number:
                    // A token beyond double's range (1e400) is valid JSON but GetDouble would throw: not a usable cost.
                    if (!Cost.TryGetDouble(out value))
                    {
                        return null;
                    }

                    break;
                case JsonValueKind.String:
                    // Python's float() accepts surrounding whitespace; NumberStyles.Float does too.
                    if (!double.TryParse(AsString(Cost), NumberStyles.Float, CultureInfo.InvariantCulture, out value))
                    {
                        return null;
                    }

                    break;
                default:
                    return null;
            }

            return double.IsFinite(value) ? value : null;
        }
    }

    /// <summary>The reqnum when it is a JSON integer that fits a <see cref="long"/>; otherwise <c>null</c>.</summary>
    public long? ReqnumValue => AsInt64(Reqnum);

    /// <summary>The request_idx when it is a JSON integer that fits a <see cref="long"/>; otherwise <c>null</c>.</summary>
    public long? RequestIdxValue => AsInt64(RequestIdx);

    /// <summary>
    /// Reads <c>auth_data</c> the way the Python worker does: it must be an object holding all six keys (extra keys
    /// such as <c>__request_id</c> are ignored; types are not checked), and, unlike the Python worker, each value must
    /// be within <see cref="AuthDataShape"/>'s bounds.
    /// </summary>
    /// <param name="authData">The <c>auth_data</c> value.</param>
    /// <param name="result">The fields when the method returns <c>true</c>.</param>
    /// <param name="fieldErrors">Empty on success; otherwise <c>{"key": "missing parameter", ...}</c> for each
    /// missing key, in the Python worker's order, or <c>{"auth_data": "must be a JSON object"}</c>.</param>
    public static bool TryFromJson(JsonElement authData, out AuthData? result, out Dictionary<string, string> fieldErrors)
    {
        var valid = TryRead(authData, clone: true, out result, out var errors);
        fieldErrors = errors ?? new Dictionary<string, string>(StringComparer.Ordinal);
        return valid;
    }

    /// <summary><see cref="TryFromJson"/> for an element the caller already owns (parsed from a private copy of the
    /// bytes, <see cref="EnvelopeParser"/>): no second copy, and no error map unless there are errors.</summary>
    internal static bool TryFromOwnedJson(JsonElement authData, out AuthData? result, out Dictionary<string, string>? fieldErrors) =>
        TryRead(authData, clone: false, out result, out fieldErrors);

    private static bool TryRead(JsonElement authData, bool clone, out AuthData? result, out Dictionary<string, string>? fieldErrors)
    {
        result = null;
        fieldErrors = null;
        if (authData.ValueKind != JsonValueKind.Object)
        {
            fieldErrors = new Dictionary<string, string>(StringComparer.Ordinal) { ["auth_data"] = NotAnObject };
            return false;
        }

        // One copy of the whole object (unless the caller's element is already one): every field element then shares
        // it and outlives the caller's document.
        var owned = clone ? authData.Clone() : authData;
        var values = new Fields();
        foreach (var property in owned.EnumerateObject())
        {
            // A duplicated key keeps its last value, as Python's json.loads does.
            values.Set(property);
        }

        // Reported in the Python dataclass's field order (signature, cost, endpoint, reqnum, url, request_idx), which
        // is the key order of the SDK's 422 body.
        foreach (var i in PythonFieldOrder)
        {
            if ((values.Found & (1 << i)) == 0)
            {
                (fieldErrors ??= new Dictionary<string, string>(StringComparer.Ordinal))[FieldNames[i]] = MissingParameter;
            }
        }

        if (fieldErrors is not null)
        {
            return false;
        }

        // Bounded before anything canonicalises them (AuthDataShape says why).
        foreach (var i in PythonFieldOrder)
        {
            if (AuthDataShape.Check(values.Get(i)) is { } problem)
            {
                (fieldErrors ??= new Dictionary<string, string>(StringComparer.Ordinal))[FieldNames[i]] = problem;
            }
        }

        if (fieldErrors is not null)
        {
            return false;
        }

        result = new AuthData(values.Cost, values.Endpoint, values.Reqnum, values.RequestIdx, values.Signature, values.Url);
        return true;
    }

    /// <summary>
    /// Builds auth data from the query-parameter form (<c>serverless_cost</c>, <c>serverless_endpoint</c>,
    /// <c>serverless_reqnum</c>, <c>serverless_request_idx</c>, <c>serverless_signature</c>, <c>serverless_url</c>;
    /// vast-protocol.md §1.2). A <c>null</c> argument means the parameter is absent.
    /// </summary>
    /// <remarks>
    /// Defaults for absent parameters: cost <c>1.0</c> (a float), endpoint = <paramref name="path"/>, reqnum and
    /// request_idx <c>0</c>, signature and url <c>""</c>. Cost, reqnum and request_idx are read as JSON number tokens
    /// and keep their text, so the canonical message equals what the signer serialised: integer syntax stays a Python
    /// int, anything with '.', 'e' or 'E' a Python float. This deliberately differs from the claudius worker, which
    /// uses <c>int()</c>/<c>float()</c> (it rejects <c>"1e-05"</c> and accepts <c>" 7"</c> or <c>"1_0"</c>); a JSON
    /// number is what a signer that serialises numbers as JSON produces.
    /// </remarks>
    /// <returns><c>false</c> with <c>fieldErrors</c> such as <c>{"serverless_reqnum": "must be a number"}</c> when a
    /// numeric parameter is not a JSON number; <c>fieldErrors</c> is empty on success.</returns>
    public static bool TryFromQuery(
        string? cost,
        string? endpoint,
        string? reqnum,
        string? requestIdx,
        string? signature,
        string? url,
        string path,
        out AuthData? result,
        out Dictionary<string, string> fieldErrors)
    {
        ArgumentNullException.ThrowIfNull(path);
        result = null;
        fieldErrors = new Dictionary<string, string>(StringComparer.Ordinal);
        var costValue = ReadQueryNumber(cost, "serverless_cost", JsonValues.FromDouble(1.0), fieldErrors);
        var reqnumValue = ReadQueryNumber(reqnum, "serverless_reqnum", JsonValues.FromInt64(0), fieldErrors);
        var requestIdxValue = ReadQueryNumber(requestIdx, "serverless_request_idx", JsonValues.FromInt64(0), fieldErrors);
        if (fieldErrors.Count > 0)
        {
            return false;
        }

        var candidate = new AuthData(
            costValue,
            JsonValues.FromString(endpoint ?? path),
            reqnumValue,
            requestIdxValue,
            JsonValues.FromString(signature ?? string.Empty),
            JsonValues.FromString(url ?? string.Empty));
        CheckShape(candidate.Cost, "serverless_cost", fieldErrors);
        CheckShape(candidate.Endpoint, "serverless_endpoint", fieldErrors);
        CheckShape(candidate.Reqnum, "serverless_reqnum", fieldErrors);
        CheckShape(candidate.RequestIdx, "serverless_request_idx", fieldErrors);
        CheckShape(candidate.Signature, "serverless_signature", fieldErrors);
        CheckShape(candidate.Url, "serverless_url", fieldErrors);
        if (fieldErrors.Count > 0)
        {
            return false;
        }

        result = candidate;
        return true;
    }

    /// <summary><see cref="TryFromQuery"/> that throws instead.</summary>
    /// <exception cref="FormatException">A numeric parameter is not a JSON number.</exception>
    public static AuthData FromQuery(string? cost, string? endpoint, string? reqnum, string? requestIdx, string? signature, string? url, string path)
    {
        if (!TryFromQuery(cost, endpoint, reqnum, requestIdx, signature, url, path, out var result, out var errors))
        {
            throw new FormatException("Invalid auth_data in query parameters: " + string.Join(", ", errors.Select(e => $"{e.Key} {e.Value}")));
        }

        return result!;
    }

    /// <summary>Builds auth data from JSON values of any kind (for signers, emulators and tests).</summary>
    public static AuthData Create(JsonElement cost, JsonElement endpoint, JsonElement reqnum, JsonElement requestIdx, JsonElement signature, JsonElement url) =>
        new(cost.Clone(), endpoint.Clone(), reqnum.Clone(), requestIdx.Clone(), signature.Clone(), url.Clone());

    /// <summary>Builds auth data from typed values. <paramref name="cost"/> becomes a float token (<c>100.0</c>).</summary>
    public static AuthData Create(double cost, string endpoint, long reqnum, long requestIdx, string signature, string url) =>
        new(
            JsonValues.FromDouble(cost),
            JsonValues.FromString(endpoint),
            JsonValues.FromInt64(reqnum),
            JsonValues.FromInt64(requestIdx),
            JsonValues.FromString(signature),
            JsonValues.FromString(url));

    /// <summary>A copy with another signature (the other five values are kept as they are).</summary>
    public AuthData WithSignature(string signature) =>
        new(Cost, Endpoint, Reqnum, RequestIdx, JsonValues.FromString(signature), Url);

    /// <summary>A copy with another signature value of any JSON kind.</summary>
    public AuthData WithSignature(JsonElement signature) =>
        new(Cost, Endpoint, Reqnum, RequestIdx, signature.Clone(), Url);

    /// <summary>Writes the six fields as a JSON object in sorted key order, number tokens unchanged.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        WriteMember(writer, "cost", Cost);
        WriteMember(writer, "endpoint", Endpoint);
        WriteMember(writer, "reqnum", Reqnum);
        WriteMember(writer, "request_idx", RequestIdx);
        WriteMember(writer, "signature", Signature);
        WriteMember(writer, "url", Url);
        writer.WriteEndObject();
    }

    /// <summary>The six fields as compact JSON (an <c>auth_data</c> object).</summary>
    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteMember(Utf8JsonWriter writer, string name, JsonElement value)
    {
        writer.WritePropertyName(name);
        value.WriteTo(writer);
    }

    private static void CheckShape(JsonElement value, string parameter, Dictionary<string, string> errors)
    {
        if (AuthDataShape.Check(value) is { } problem)
        {
            errors[parameter] = problem;
        }
    }

    private static JsonElement ReadQueryNumber(string? text, string parameter, JsonElement fallback, Dictionary<string, string> errors)
    {
        if (text is null)
        {
            return fallback;
        }

        if (text.Length <= AuthDataShape.MaxNumberLength && JsonValues.TryParseNumber(text, out var number))
        {
            return number;
        }

        errors[parameter] = NotANumber;
        return default;
    }

    // Decoded from the raw token: JsonElement.GetString throws on a lone surrogate escape, which Python accepts.
    private static string? AsString(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? JsonText.GetString(value) : null;

    private static long? AsInt64(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    /// <summary>The six values found so far, by <see cref="FieldNames"/> index, without a per-request array.</summary>
    private struct Fields
    {
        public JsonElement Cost;
        public JsonElement Endpoint;
        public JsonElement Reqnum;
        public JsonElement RequestIdx;
        public JsonElement Signature;
        public JsonElement Url;
        public int Found;

        public void Set(JsonProperty property)
        {
            // The UTF-8 comparisons read the raw name (escapes decoded) without making a string.
            if (property.NameEquals("cost"u8))
            {
                Cost = property.Value;
                Found |= 1 << 0;
            }
            else if (property.NameEquals("endpoint"u8))
            {
                Endpoint = property.Value;
                Found |= 1 << 1;
            }
            else if (property.NameEquals("reqnum"u8))
            {
                Reqnum = property.Value;
                Found |= 1 << 2;
            }
            else if (property.NameEquals("request_idx"u8))
            {
                RequestIdx = property.Value;
                Found |= 1 << 3;
            }
            else if (property.NameEquals("signature"u8))
            {
                Signature = property.Value;
                Found |= 1 << 4;
            }
            else if (property.NameEquals("url"u8))
            {
                Url = property.Value;
                Found |= 1 << 5;
            }
        }

        public readonly JsonElement Get(int index) => index switch
        {
            0 => Cost,
            1 => Endpoint,
            2 => Reqnum,
            3 => RequestIdx,
            4 => Signature,
            _ => Url,
        };
    }
}
