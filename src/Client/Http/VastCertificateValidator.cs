using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Vespa.Client.Http;

/// <summary>
/// Server-certificate check for every host the client talks to (console, autoscaler, workers): the system trust
/// store, plus the vast.ai root certificate when there is one (configured or downloaded: <see cref="VastRootStore"/>;
/// vast-protocol.md §7.4).
/// </summary>
/// <remarks>
/// The vast.ai root (<c>https://console.vast.ai/static/jvastai_root.cer</c>) is a CA (BasicConstraints CA=true with a
/// path length) whose KeyUsage lacks <c>keyCertSign</c>, so strict chain validation refuses it as an issuer. The
/// official Python client clears <c>VERIFY_X509_STRICT</c>; here a chain that the system store rejects is built again
/// with that root as the only custom trust anchor, and accepted when the one problem left is that root's key usage
/// (reported as <see cref="X509ChainStatusFlags.InvalidBasicConstraints"/>, "key usage does not include certificate
/// signing"). Every other check stays: the host name (a worker URL is an IP address, so its certificate needs an IP
/// SAN), validity periods, signatures, the leaf's server-auth usage, and every other certificate's constraints.
/// </remarks>
internal sealed class VastCertificateValidator
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    private readonly Func<X509Certificate2?> _vastRoot;
    private readonly TextWriter? _debug;

    /// <param name="vastRoot">The vast.ai root, or <c>null</c> to trust the system store only.</param>
    /// <param name="debug">Where to explain rejected certificates (<c>--tls-debug</c>); <c>null</c> for silence.</param>
    public VastCertificateValidator(X509Certificate2? vastRoot, TextWriter? debug)
        : this(() => vastRoot, debug)
    {
    }

    /// <param name="vastRoot">The vast.ai root at the time of a handshake (it may arrive during the run).</param>
    /// <param name="debug">Where to explain rejected certificates (<c>--tls-debug</c>); <c>null</c> for silence.</param>
    public VastCertificateValidator(Func<X509Certificate2?> vastRoot, TextWriter? debug)
    {
        _vastRoot = vastRoot;
        _debug = debug is null ? null : TextWriter.Synchronized(debug);
    }

    /// <summary>The <see cref="RemoteCertificateValidationCallback"/>.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        var host = sender is SslStream stream ? stream.TargetHostName : "the server";
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            Debug($"{host}: no certificate was presented");
            return false;
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            using var named = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            Debug($"{host}: the certificate ({named.Subject}; {DescribeNames(named)}) does not name {host}");
            return false;
        }

        if (_vastRoot() is not { } root)
        {
            Debug($"{host}: the chain is not trusted by the system store ({Describe(chain)}); for a vast.ai worker pass --vast-root-cert");
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (IsTrustedByVastRoot(root, leaf, chain, out var reason))
        {
            return true;
        }

        Debug($"{host}: not trusted by the system store ({Describe(chain)}) nor by the vast.ai root: {reason}");
        return false;
    }

    /// <summary>Builds the chain to the vast.ai root and accepts it when the only fault left is that root's key usage.</summary>
    internal bool IsTrustedByVastRoot(X509Certificate2 leaf, X509Chain? presented, out string reason)
    {
        if (_vastRoot() is not { } vastRoot)
        {
            reason = "no vast.ai root";
            return false;
        }

        return IsTrustedByVastRoot(vastRoot, leaf, presented, out reason);
    }

    private static bool IsTrustedByVastRoot(X509Certificate2 vastRoot, X509Certificate2 leaf, X509Chain? presented, out string reason)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(vastRoot);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuthOid));
        if (presented is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (chain.Build(leaf))
        {
            reason = "";
            return true;
        }

        var elements = chain.ChainElements;
        var root = elements.Count > 0 ? elements[^1].Certificate : null;
        if (root is null || !root.RawDataMemory.Span.SequenceEqual(vastRoot.RawDataMemory.Span))
        {
            reason = "the chain does not lead to it (" + Describe(chain) + ")";
            return false;
        }

        for (var i = 0; i < elements.Count; i++)
        {
            var isRoot = i == elements.Count - 1;
            foreach (var status in elements[i].ChainElementStatus)
            {
                if (status.Status == X509ChainStatusFlags.NoError
                    || (isRoot && status.Status == X509ChainStatusFlags.InvalidBasicConstraints && IsCaLackingOnlyKeyCertSign(root)))
                {
                    continue;
                }

                reason = $"{elements[i].Certificate.Subject}: {status.Status} ({status.StatusInformation.Trim()})";
                return false;
            }
        }

        reason = "";
        return true;
    }

    /// <summary>Whether <paramref name="certificate"/> is a CA by its basic constraints and its only fault as an
    /// issuer is a KeyUsage extension without <c>keyCertSign</c>: the tolerated vast.ai root defect.</summary>
    internal static bool IsCaLackingOnlyKeyCertSign(X509Certificate2 certificate)
    {
        var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        return constraints is { CertificateAuthority: true }
            && usage is not null
            && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign);
    }

    private static string Describe(X509Chain? chain)
    {
        if (chain is null)
        {
            return "no chain";
        }

        var parts = new List<string>();
        foreach (var element in chain.ChainElements)
        {
            foreach (var status in element.ChainElementStatus)
            {
                if (status.Status != X509ChainStatusFlags.NoError)
                {
                    parts.Add($"{element.Certificate.Subject}: {status.Status} ({status.StatusInformation.Trim()})");
                }
            }
        }

        return parts.Count == 0 ? string.Join(", ", chain.ChainStatus.Select(s => s.Status)) : string.Join("; ", parts);
    }

    private static string DescribeNames(X509Certificate2 certificate)
    {
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null)
        {
            return "no subject alternative names";
        }

        var names = san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(a => a.ToString())).ToList();
        return "names: " + (names.Count == 0 ? "none" : string.Join(", ", names));
    }

    private void Debug(string message) => _debug?.WriteLine("tls: rejected " + message);
}
