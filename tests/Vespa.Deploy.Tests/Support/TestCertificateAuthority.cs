using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Vespa.Deploy.Tests.Support;

/// <summary>
/// A throw-away CA made at test time (RSA-2048), standing in for vast.ai's root: it signs certificate requests
/// like vast.ai's <c>sign_cert</c>, issues leaves, and is the only trust anchor of the tests' HTTPS clients.
/// </summary>
internal sealed class TestCertificateAuthority : IDisposable
{
    private long _serial;

    public TestCertificateAuthority(string name = "Vespa Test Root CA")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Root = request.CreateSelfSigned(now.AddDays(-7), now.AddYears(1));
    }

    public X509Certificate2 Root { get; }

    /// <summary>Signs <paramref name="request"/> (a CSR read by the fake sign_cert) with its SAN replaced by <paramref name="ip"/>.</summary>
    public X509Certificate2 Sign(CertificateRequest request, IPAddress ip, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var signed = new CertificateRequest(request.SubjectName, request.PublicKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        AddLeafExtensions(signed, ip);
        var now = DateTimeOffset.UtcNow;
        return signed.Create(Root, now.AddMinutes(-5), now + (lifetime ?? TimeSpan.FromDays(30)), NextSerial());
    }

    /// <summary>A leaf with its private key, for <paramref name="ip"/>.</summary>
    public X509Certificate2 IssueLeaf(IPAddress ip, string commonName = "vespa-test", DateTimeOffset? notAfter = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        AddLeafExtensions(request, ip);
        var now = DateTimeOffset.UtcNow;
        var end = notAfter ?? now.AddDays(30);
        using var certificate = request.Create(Root, now.AddHours(-1), end, NextSerial());
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>Writes <paramref name="certificate"/> and its key as PEM files (the form start_server.sh installs).</summary>
    public static void WritePem(X509Certificate2 certificate, string certificateFile, string keyFile)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var key = certificate.GetRSAPrivateKey() ?? throw new InvalidOperationException("no RSA private key");
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
    }

    /// <summary>True when <paramref name="certificate"/> chains to <see cref="Root"/> and nothing else.</summary>
    public bool Issued(X509Certificate certificate)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }

    /// <summary>
    /// An HTTPS client that trusts only this CA (host name still checked against the IP SAN) and records the
    /// certificate each new connection was shown.
    /// </summary>
    public HttpClient CreateClient(Action<X509Certificate2>? onCertificate = null, bool pooled = false)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            // A new connection per request when not pooled, so every request is a handshake.
            PooledConnectionLifetime = pooled ? Timeout.InfiniteTimeSpan : TimeSpan.Zero,
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null)
            {
                return false;
            }

            onCertificate?.Invoke(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            // Chain errors are ours to judge (the system store does not know the test root); a name mismatch is not.
            return (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None && Issued(certificate);
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
    }

    public void Dispose() => Root.Dispose();

    private static void AddLeafExtensions(CertificateRequest request, IPAddress ip)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(ip);
        request.CertificateExtensions.Add(san.Build());
    }

    private byte[] NextSerial()
    {
        var serial = BitConverter.GetBytes(Interlocked.Increment(ref _serial) + 1000);
        Array.Reverse(serial);
        return serial;
    }
}
