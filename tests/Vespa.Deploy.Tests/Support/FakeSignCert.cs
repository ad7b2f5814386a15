using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vespa.Testing;

namespace Vespa.Deploy.Tests.Support;

/// <summary>
/// vast.ai's <c>POST /api/v0/sign_cert/?instance_id=N</c> on loopback: reads the PEM certificate request, checks
/// its self-signature, and answers the PEM certificate signed by the test CA with the IP SAN replaced by
/// 127.0.0.1 (what vast.ai's signer is inferred to do with the placeholder 0.0.0.0, vast-protocol.md §7.4).
/// </summary>
internal sealed class FakeSignCert : IAsyncDisposable
{
    public const string Path = "/api/v0/sign_cert/";

    private readonly LoopbackServer _server;
    private readonly TestCertificateAuthority _authority;
    private readonly ConcurrentQueue<SignCertCall> _calls = new();
    private int _failuresLeft;

    private FakeSignCert(LoopbackServer server, TestCertificateAuthority authority)
    {
        _server = server;
        _authority = authority;
    }

    /// <summary>The URL to put in <c>VESPA_SIGN_CERT_URL</c> (without the query).</summary>
    public Uri Url => new(_server.BaseUrl, Path);

    public IReadOnlyList<SignCertCall> Calls => [.. _calls];

    /// <summary>Answers the next N calls with <see cref="FailureStatus"/> and <see cref="FailureBody"/>.</summary>
    public int FailuresLeft
    {
        get => Volatile.Read(ref _failuresLeft);
        set => Volatile.Write(ref _failuresLeft, value);
    }

    public int FailureStatus { get; set; } = 500;

    public string FailureBody { get; set; } = "internal error";

    /// <summary>When set, answered with 200 instead of a certificate (a broken signer).</summary>
    public string? OverrideAnswer { get; set; }

    public static async Task<FakeSignCert> StartAsync(TestCertificateAuthority authority)
    {
        FakeSignCert? fake = null;
        var server = await LoopbackServer.StartAsync(app => app.MapPost(Path, (HttpContext context) => fake!.HandleAsync(context)));
        fake = new FakeSignCert(server, authority);
        return fake;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.ASCII);
        var pem = await reader.ReadToEndAsync(context.RequestAborted);
        var instanceId = context.Request.Query["instance_id"].ToString();
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            _calls.Enqueue(new SignCertCall(instanceId, context.Request.ContentType, "", [], 0, "failed on purpose"));
            context.Response.StatusCode = FailureStatus;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(FailureBody, context.RequestAborted);
            return;
        }

        Interlocked.Exchange(ref _failuresLeft, 0);
        CertificateRequest request;
        try
        {
            // Extensions are loaded so the test can see the SAN the script asked for; the signature is checked.
            request = CertificateRequest.LoadSigningRequestPem(pem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (CryptographicException ex)
        {
            _calls.Enqueue(new SignCertCall(instanceId, context.Request.ContentType, "", [], 0, ex.Message));
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync("bad CSR: " + ex.Message, context.RequestAborted);
            return;
        }

        var sans = request.CertificateExtensions.OfType<X509SubjectAlternativeNameExtension>()
            .SelectMany(e => e.EnumerateIPAddresses().Select(ip => "IP:" + ip).Concat(e.EnumerateDnsNames().Select(d => "DNS:" + d)))
            .ToList();
        using var rsa = request.PublicKey.GetRSAPublicKey();
        _calls.Enqueue(new SignCertCall(instanceId, context.Request.ContentType, request.SubjectName.Name, sans, rsa?.KeySize ?? 0, null));

        context.Response.ContentType = "application/x-pem-file";
        if (OverrideAnswer is { } answer)
        {
            await context.Response.WriteAsync(answer, context.RequestAborted);
            return;
        }

        using var certificate = _authority.Sign(request, IPAddress.Loopback);
        await context.Response.WriteAsync(certificate.ExportCertificatePem() + "\n", context.RequestAborted);
    }
}
