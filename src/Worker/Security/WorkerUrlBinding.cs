using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Vespa.Core.Envelopes;
using Vespa.Worker.Errors;
using Vespa.Worker.Options;

namespace Vespa.Worker.Security;

/// <summary>
/// Accepts <c>auth_data</c> only when its <c>url</c> names this worker (issue 9, finding 3). vast.ai
/// signs with one platform key and the url-only scheme signs nothing else, so without this check a
/// signature obtained for any other worker (anyone can route a request to their own endpoint) would
/// be accepted here forever.
/// </summary>
/// <remarks>
/// This worker is <c>PUBLIC_IPADDR</c> with the external port <c>VAST_TCP_PORT_&lt;WORKER_PORT&gt;</c>.
/// A url matches when its host and port equal those: the host compared as an IP address when both
/// are addresses (so IPv6 spellings and IPv4-mapped forms agree; <c>[…]</c> literals, and the
/// unbracketed <c>host:port</c> form this worker reports for IPv6, are read), otherwise as a host
/// name without case; a url without a port has its scheme's default port. Scheme, path, query and
/// trailing slash are ignored (the worker may be behind TLS or not; the SDK appends paths). A url with
/// user information is never this worker. Checked before the signature, so a request for another
/// worker costs no RSA work. <c>VESPA_CHECK_URL=false</c> turns the check off for deployments
/// behind another proxy (the worker warns at start).
/// </remarks>
internal sealed class WorkerUrlBinding
{
    private readonly string? _host;
    private readonly IPAddress? _address;
    private readonly int? _port;

    // The raw JSON text of the last url found to name this worker: every request to a worker carries the same one,
    // so it is parsed once, not per request.
    private volatile byte[]? _lastAccepted;

    public WorkerUrlBinding(WorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Enabled = !options.Unsecured && options.CheckUrl;
        _port = options.PublicPort;
        var host = options.PublicIpAddress?.Trim();
        if (!string.IsNullOrEmpty(host))
        {
            if (host.StartsWith('[') && host.EndsWith(']'))
            {
                host = host[1..^1];
            }

            _address = TryParseAddress(host, out var address) ? Normalize(address) : null;
            _host = _address?.ToString() ?? host.TrimEnd('.').ToLowerInvariant();
        }

        if (_host is not null && _port is not null)
        {
            var shownHost = _address?.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{_host}]" : _host;
            ExpectedUrl = string.Create(CultureInfo.InvariantCulture, $"{(options.UseSsl ? "https" : "http")}://{shownHost}:{_port}");
        }
    }

    /// <summary>Whether urls are checked (a secured worker without <c>VESPA_CHECK_URL=false</c>).</summary>
    public bool Enabled { get; }

    /// <summary>This worker's public url, or <c>null</c> when <c>PUBLIC_IPADDR</c> or the external port is unknown.</summary>
    public string? ExpectedUrl { get; }

    /// <summary>Returns <c>null</c> when the url names this worker (or checks are off), else the 401 to answer with.</summary>
    public WorkerError? Check(AuthData authData)
    {
        ArgumentNullException.ThrowIfNull(authData);
        if (!Enabled)
        {
            return null;
        }

        if (ExpectedUrl is null)
        {
            return new WorkerError(
                StatusCodes.Status401Unauthorized,
                "this worker cannot check auth_data.url: its public address is unknown (PUBLIC_IPADDR and VAST_TCP_PORT_<port> must be set); behind another proxy set VESPA_CHECK_URL=false");
        }

        if (_lastAccepted is { } last && authData.Url.ValueKind == JsonValueKind.String && JsonMarshal.GetRawUtf8Value(authData.Url).SequenceEqual(last))
        {
            return null;
        }

        var url = authData.UrlText;
        if (url is not null && Names(url))
        {
            _lastAccepted = JsonMarshal.GetRawUtf8Value(authData.Url).ToArray();
            return null;
        }

        var shown = url ?? authData.Url.GetRawText();
        return new WorkerError(StatusCodes.Status401Unauthorized, $"signed for another worker: {WorkerError.Shorten(shown)}; this worker is {ExpectedUrl}");
    }

    /// <summary>Whether <paramref name="url"/> names this worker's host and port.</summary>
    public bool Names(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (_host is null || _port is null)
        {
            return false;
        }

        // Scheme: any, or none; it only decides the default port.
        var text = url.Trim();
        int? defaultPort = null;
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            defaultPort = text[..schemeEnd].ToUpperInvariant() switch
            {
                "HTTP" => 80,
                "HTTPS" => 443,
                _ => null,
            };
            text = text[(schemeEnd + 3)..];
        }

        var authorityEnd = text.AsSpan().IndexOfAny('/', '?', '#');
        var authority = authorityEnd >= 0 ? text[..authorityEnd] : text;
        if (authority.Length == 0 || authority.Contains('@'))
        {
            return false;
        }

        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            var rest = authority[(close + 1)..];
            return HostMatches(authority[1..close]) && PortMatches(rest.Length == 0 ? null : rest.StartsWith(':') ? rest[1..] : "x", defaultPort);
        }

        var colon = authority.IndexOf(':');
        if (colon < 0)
        {
            return HostMatches(authority) && PortMatches(null, defaultPort);
        }

        if (colon == authority.LastIndexOf(':'))
        {
            return HostMatches(authority[..colon]) && PortMatches(authority[(colon + 1)..], defaultPort);
        }

        // Several colons without brackets: an IPv6 address, or one followed by ":port" (the form reported as url).
        var last = authority.LastIndexOf(':');
        return (HostMatches(authority) && PortMatches(null, defaultPort))
            || (HostMatches(authority[..last]) && PortMatches(authority[(last + 1)..], defaultPort));
    }

    private bool HostMatches(string host)
    {
        if (host.Length == 0)
        {
            return false;
        }

        if (TryParseAddress(host, out var address))
        {
            return _address is not null && Normalize(address).Equals(_address);
        }

        return _address is null && string.Equals(host.TrimEnd('.'), _host, StringComparison.OrdinalIgnoreCase);
    }

    private bool PortMatches(string? port, int? defaultPort)
    {
        if (port is null)
        {
            return defaultPort == _port;
        }

        return port.Length is > 0 and <= 5
            && port.All(char.IsAsciiDigit)
            && int.Parse(port, NumberStyles.None, CultureInfo.InvariantCulture) == _port;
    }

    /// <summary>An IPv6 literal, or IPv4 only as four dotted decimals (<see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
    /// also reads <c>127.1</c> and <c>2130706433</c>, which no url the autoscaler signs contains).</summary>
    private static bool TryParseAddress(string host, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (!host.Contains(':'))
        {
            var parts = host.Split('.');
            if (parts.Length != 4 || !parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit)))
            {
                return false;
            }
        }

        return IPAddress.TryParse(host, out address);
    }

    private static IPAddress Normalize(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        // Scope ids name a local interface; a public address has none, and a url's would not travel.
        return address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes()) : address;
    }
}
