using System.Text.Json;
using Vespa.Core.Envelopes;
using Vespa.Core.Json;

namespace Vespa.Core.Signatures;

/// <summary>The exact bytes each scheme signs (vast-protocol.md §2.1, §2.2): Python's
/// <c>json.dumps(message, indent=4, sort_keys=True)</c> encoded as UTF-8 (it is always ASCII).</summary>
public static class SignedMessages
{
    /// <summary><c>{"url": url}</c>: the only signed message of SDK ≥ 1.0.1. The url may be any JSON value.</summary>
    /// <exception cref="FormatException">A string in the auth data is not valid UTF-8.</exception>
    public static byte[] ForUrlScheme(AuthData authData)
    {
        ArgumentNullException.ThrowIfNull(authData);
        return PythonJson.SerializeObjectToUtf8Bytes([new KeyValuePair<string, JsonElement>("url", authData.Url)]);
    }

    /// <summary><c>{cost, endpoint, reqnum, request_idx, url}</c>: the five-field message of the older workers.</summary>
    /// <exception cref="FormatException">A string in the auth data is not valid UTF-8.</exception>
    public static byte[] ForLegacyScheme(AuthData authData)
    {
        ArgumentNullException.ThrowIfNull(authData);
        return PythonJson.SerializeObjectToUtf8Bytes(
        [
            new KeyValuePair<string, JsonElement>("cost", authData.Cost),
            new KeyValuePair<string, JsonElement>("endpoint", authData.Endpoint),
            new KeyValuePair<string, JsonElement>("reqnum", authData.Reqnum),
            new KeyValuePair<string, JsonElement>("request_idx", authData.RequestIdx),
            new KeyValuePair<string, JsonElement>("url", authData.Url),
        ]);
    }

    /// <summary>The message of <paramref name="scheme"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="scheme"/> is <see cref="SignatureScheme.Auto"/>, which
    /// names no single message.</exception>
    public static byte[] For(AuthData authData, SignatureScheme scheme) => scheme switch
    {
        SignatureScheme.Url => ForUrlScheme(authData),
        SignatureScheme.Legacy => ForLegacyScheme(authData),
        _ => throw new ArgumentException("Only the url and legacy schemes name a signed message.", nameof(scheme)),
    };
}
