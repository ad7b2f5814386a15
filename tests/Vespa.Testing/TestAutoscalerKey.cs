using System.Security.Cryptography;
using Vespa.Core.Envelopes;
using Vespa.Core.Json;
using Vespa.Core.Signatures;

namespace Vespa.Testing;

/// <summary>
/// An RSA key standing in for the autoscaler's signing key, and helpers that sign auth data the
/// way vast.ai does. Generated once per test process (RSA generation is slow).
/// </summary>
public sealed class TestAutoscalerKey
{
    private static readonly Lazy<TestAutoscalerKey> SharedKey = new(() => new TestAutoscalerKey());
    private static readonly Lazy<TestAutoscalerKey> OtherKey = new(() => new TestAutoscalerKey());

    private readonly RSA _rsa = RSA.Create(2048);

    private TestAutoscalerKey()
    {
        PublicKeyPem = _rsa.ExportSubjectPublicKeyInfoPem();
        PrivateKeyPem = _rsa.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>The key the test autoscaler serves.</summary>
    public static TestAutoscalerKey Shared => SharedKey.Value;

    /// <summary>A different key, for "signed by someone else" cases.</summary>
    public static TestAutoscalerKey Other => OtherKey.Value;

    public string PublicKeyPem { get; }

    /// <summary>The private key (PKCS#8 PEM), for an emulator that should sign with this key.</summary>
    public string PrivateKeyPem { get; }

    /// <summary>Signed auth data; <paramref name="costToken"/> is the JSON number text of the cost.</summary>
    public AuthData Sign(string url, SignatureScheme scheme = SignatureScheme.Url, string costToken = "100", string endpoint = "test-endpoint", long reqnum = 1, long requestIdx = 1)
    {
        if (!JsonValues.TryParseNumber(costToken, out var cost))
        {
            throw new ArgumentException("not a JSON number", nameof(costToken));
        }

        var unsigned = AuthData.Create(cost, JsonValues.FromString(endpoint), JsonValues.FromInt64(reqnum), JsonValues.FromInt64(requestIdx), JsonValues.FromString(""), JsonValues.FromString(url));
        var message = scheme == SignatureScheme.Legacy ? SignedMessages.ForLegacyScheme(unsigned) : SignedMessages.ForUrlScheme(unsigned);
        var signature = Convert.ToBase64String(_rsa.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        return unsigned.WithSignature(signature);
    }

    /// <summary>The body of a POST envelope around <paramref name="payloadJson"/>.</summary>
    public static string Envelope(AuthData authData, string payloadJson) =>
        $$"""{"auth_data": {{authData.ToJson()}}, "session_id": null, "payload": {{payloadJson}}}""";

    /// <summary>The query-form parameters for <paramref name="authData"/>, URL-encoded, without a leading '&amp;'.</summary>
    public static string QueryParameters(AuthData authData) =>
        string.Join('&',
            "serverless_cost=" + Uri.EscapeDataString(authData.Cost.GetRawText()),
            "serverless_endpoint=" + Uri.EscapeDataString(authData.EndpointText ?? ""),
            "serverless_reqnum=" + Uri.EscapeDataString(authData.Reqnum.GetRawText()),
            "serverless_request_idx=" + Uri.EscapeDataString(authData.RequestIdx.GetRawText()),
            "serverless_signature=" + Uri.EscapeDataString(authData.SignatureText ?? ""),
            "serverless_url=" + Uri.EscapeDataString(authData.UrlText ?? ""));
}
