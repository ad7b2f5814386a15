using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Vespa.Client.Tests.Infrastructure;

/// <summary>
/// A root CA shaped like vast.ai's (BasicConstraints CA=true with a path length, KeyUsage without keyCertSign) and a
/// server certificate it issued for 127.0.0.1 (an IP SAN only, like a worker's). Built once per test process.
/// </summary>
internal sealed class TestCertificates
{
    private static readonly Lazy<TestCertificates> SharedValue = new(() => new TestCertificates("Test Vast Root", keyCertSign: false));
    private static readonly Lazy<TestCertificates> OtherValue = new(() => new TestCertificates("Other Root", keyCertSign: false));

    private TestCertificates(string rootName, bool keyCertSign)
    {
        var now = DateTimeOffset.UtcNow;
        using var rootKey = RSA.Create(2048);
        var rootRequest = new CertificateRequest($"CN={rootName}", rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 1, critical: true));
        var usage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.CrlSign | (keyCertSign ? X509KeyUsageFlags.KeyCertSign : X509KeyUsageFlags.None);
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, critical: false));
        Root = rootRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));

        using var leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest("CN=127.0.0.1", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        // CertificateRequest.Create(issuerCertificate, ...) refuses an issuer without keyCertSign, which is the point
        // here; signing through a generator builds the same certificate without that check.
        using var leaf = leafRequest.Create(Root.SubjectName, X509SignatureGenerator.CreateForRSA(rootKey, RSASignaturePadding.Pkcs1), now.AddDays(-1), now.AddMonths(1), [1, 2, 3, 4]);
        using var withKey = leaf.CopyWithPrivateKey(leafKey);
        // Kestrel on Linux wants an exportable key: round-trip through PKCS#12.
        Server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);

        var directory = Cli.TempDirectory();
        RootPemFile = Path.Combine(directory, "root.pem");
        File.WriteAllText(RootPemFile, Root.ExportCertificatePem());
        RootDerFile = Path.Combine(directory, "jvastai_root.cer");
        File.WriteAllBytes(RootDerFile, Root.Export(X509ContentType.Cert));
    }

    /// <summary>The vast.ai-like test root and its server certificate.</summary>
    public static TestCertificates Shared => SharedValue.Value;

    /// <summary>Another root of the same shape that issued nothing here.</summary>
    public static TestCertificates Other => OtherValue.Value;

    public X509Certificate2 Root { get; }

    /// <summary>The server certificate with its private key (SAN: IP 127.0.0.1 only).</summary>
    public X509Certificate2 Server { get; }

    public string RootPemFile { get; }

    public string RootDerFile { get; }
}
