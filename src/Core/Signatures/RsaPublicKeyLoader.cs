using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Vespa.Core.Signatures;

/// <summary>
/// Loads the autoscaler's RSA public key from what <c>GET {REPORT_ADDR}/pubkey/</c> serves. The exact format is not
/// visible in any public source (vast-protocol.md §2.3), so this accepts what pycryptodome's
/// <c>RSA.import_key</c> accepts for a public key:
/// <list type="bullet">
/// <item>PEM <c>PUBLIC KEY</c> (SubjectPublicKeyInfo) and PEM <c>RSA PUBLIC KEY</c> (PKCS#1);</item>
/// <item>a PEM <c>CERTIFICATE</c> (its RSA key is used);</item>
/// <item>DER: SubjectPublicKeyInfo, PKCS#1 <c>RSAPublicKey</c> or an X.509 certificate;</item>
/// <item>an OpenSSH <c>ssh-rsa AAAA… [comment]</c> line.</item>
/// </list>
/// As an extension, bare base64 of one of the DER forms (a PEM body without its armour) is accepted too.
/// </summary>
public static class RsaPublicKeyLoader
{
    private const string Expected =
        "Expected an RSA public key as PEM ('PUBLIC KEY', 'RSA PUBLIC KEY' or 'CERTIFICATE'), DER (SubjectPublicKeyInfo, "
        + "PKCS#1 RSAPublicKey or an X.509 certificate) or an OpenSSH 'ssh-rsa' line";

    /// <summary>Loads a key from raw bytes: DER, or text in any of the supported forms (UTF-8).</summary>
    /// <exception cref="FormatException">The data is none of the supported forms.</exception>
    public static RSA Load(ReadOnlySpan<byte> data)
    {
        var trimmed = data.TrimStart(" \t\r\n"u8);
        if (trimmed.IsEmpty)
        {
            throw new FormatException(Expected + "; the data is empty.");
        }

        // A DER key or certificate starts with a SEQUENCE tag; every text form starts with a printable character.
        if (trimmed[0] == 0x30 && TryLoadDer(trimmed, out var der))
        {
            return der;
        }

        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(data);
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException(Expected + "; the data is neither DER nor UTF-8 text.", e);
        }

        return Load(text);
    }

    /// <summary>Loads a key from text: PEM, an OpenSSH line, or bare base64 of DER.</summary>
    /// <exception cref="FormatException">The text is none of the supported forms.</exception>
    public static RSA Load(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.AsSpan().Trim().TrimStart('\uFEFF');
        if (trimmed.IsEmpty)
        {
            throw new FormatException(Expected + "; the text is empty.");
        }

        if (trimmed.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            return LoadPem(trimmed);
        }

        if (trimmed.StartsWith("ssh-rsa", StringComparison.Ordinal))
        {
            return LoadOpenSsh(trimmed);
        }

        if (trimmed.StartsWith("ssh-", StringComparison.Ordinal) || trimmed.StartsWith("ecdsa-", StringComparison.Ordinal))
        {
            throw new FormatException(Expected + "; found an OpenSSH key that is not RSA.");
        }

        var compact = string.Concat(trimmed.ToString().Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
        var buffer = new byte[compact.Length];
        if (Convert.TryFromBase64String(compact, buffer, out var length) && TryLoadDer(buffer.AsSpan(0, length), out var rsa))
        {
            return rsa;
        }

        throw new FormatException(Expected + ".");
    }

    private static RSA LoadPem(ReadOnlySpan<char> text)
    {
        var remaining = text;
        var labels = new List<string>();
        while (PemEncoding.TryFind(remaining, out var fields))
        {
            var label = remaining[fields.Label].ToString();
            var der = Convert.FromBase64String(remaining[fields.Base64Data].ToString());
            switch (label)
            {
                case "PUBLIC KEY":
                    return Import(der, static (rsa, bytes) =>
                    {
                        rsa.ImportSubjectPublicKeyInfo(bytes, out var read);
                        return read == bytes.Length;
                    }, label);
                case "RSA PUBLIC KEY":
                    return Import(der, static (rsa, bytes) =>
                    {
                        rsa.ImportRSAPublicKey(bytes, out var read);
                        return read == bytes.Length;
                    }, label);
                case "CERTIFICATE":
                    return FromCertificate(der);
                default:
                    labels.Add(label);
                    break;
            }

            remaining = remaining[fields.Location.End..];
        }

        var found = labels.Count == 0 ? "no complete PEM block" : "PEM blocks labelled " + string.Join(", ", labels.Select(l => $"'{l}'"));
        throw new FormatException($"{Expected}; found {found}.");
    }

    private static RSA Import(byte[] der, Func<RSA, byte[], bool> import, string what)
    {
        var rsa = RSA.Create();
        try
        {
            if (!import(rsa, der))
            {
                throw new FormatException($"{Expected}; the '{what}' block has trailing data.");
            }

            return rsa;
        }
        catch (CryptographicException e)
        {
            rsa.Dispose();
            throw new FormatException($"{Expected}; the '{what}' block is not an RSA key.", e);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    private static RSA FromCertificate(byte[] der)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException e)
        {
            throw new FormatException($"{Expected}; the certificate cannot be read.", e);
        }

        using (certificate)
        {
            return certificate.GetRSAPublicKey()
                ?? throw new FormatException($"{Expected}; the certificate's key is not RSA.");
        }
    }

    private static bool TryLoadDer(ReadOnlySpan<byte> der, out RSA rsa)
    {
        rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(der, out var read);
            if (read == der.Length)
            {
                return true;
            }
        }
        catch (CryptographicException)
        {
        }

        try
        {
            rsa.ImportRSAPublicKey(der, out var read);
            if (read == der.Length)
            {
                return true;
            }
        }
        catch (CryptographicException)
        {
        }

        rsa.Dispose();
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(der);
            if (certificate.GetRSAPublicKey() is { } key)
            {
                rsa = key;
                return true;
            }
        }
        catch (CryptographicException)
        {
        }

        rsa = null!;
        return false;
    }

    // RFC 4253 §6.6: string "ssh-rsa", mpint e, mpint n, each with a 4-byte big-endian length.
    private static RSA LoadOpenSsh(ReadOnlySpan<char> line)
    {
        var parts = line.ToString().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || parts[0] != "ssh-rsa")
        {
            throw new FormatException(Expected + "; the OpenSSH line has no key data.");
        }

        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(parts[1]);
        }
        catch (FormatException e)
        {
            throw new FormatException(Expected + "; the OpenSSH key data is not base64.", e);
        }

        var reader = blob.AsSpan();
        if (!TryReadString(ref reader, out var type) || !type.SequenceEqual("ssh-rsa"u8)
            || !TryReadString(ref reader, out var exponent) || !TryReadString(ref reader, out var modulus)
            || !reader.IsEmpty)
        {
            throw new FormatException(Expected + "; the OpenSSH key data is not an ssh-rsa public key blob.");
        }

        exponent = exponent.TrimStart((byte)0);
        modulus = modulus.TrimStart((byte)0);
        if (exponent.IsEmpty || modulus.IsEmpty)
        {
            throw new FormatException(Expected + "; the OpenSSH key has an empty modulus or exponent.");
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportParameters(new RSAParameters { Exponent = exponent.ToArray(), Modulus = modulus.ToArray() });
            return rsa;
        }
        catch (CryptographicException e)
        {
            rsa.Dispose();
            throw new FormatException(Expected + "; the OpenSSH key's parameters are not a usable RSA key.", e);
        }
    }

    private static bool TryReadString(ref Span<byte> reader, out Span<byte> value)
    {
        value = default;
        if (reader.Length < 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(reader);
        if (length > (uint)(reader.Length - 4))
        {
            return false;
        }

        value = reader.Slice(4, (int)length);
        reader = reader[(4 + (int)length)..];
        return true;
    }
}
