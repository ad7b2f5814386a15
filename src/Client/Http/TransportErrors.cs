using System.Security.Authentication;

namespace Vespa.Client.Http;

/// <summary>Short, useful descriptions of transport failures.</summary>
internal static class TransportErrors
{
    /// <summary>The messages of the exception chain, outermost first, without repeats; a TLS rejection adds where to
    /// look ("see inner exception" alone helps nobody).</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var parts = new List<string>();
        var tls = false;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            tls |= e is AuthenticationException;
            var message = e.Message.Replace(", see inner exception", "", StringComparison.Ordinal).Trim().TrimEnd('.');
            if (message.Length > 0 && !parts.Exists(p => p.Contains(message, StringComparison.Ordinal)))
            {
                parts.Add(message);
            }
        }

        var text = string.Join(": ", parts);
        return tls ? text + " (TLS; --tls-debug shows why, --vast-root-cert trusts vast.ai worker certificates)" : text;
    }

    /// <summary>Whether the failure is a refused TLS handshake (certificate or protocol).</summary>
    public static bool IsTls(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException)
            {
                return true;
            }
        }

        return false;
    }
}
