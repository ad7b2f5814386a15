using System.Security.Cryptography;
using System.Text;
using Vespa.Worker.Errors;
using Vespa.Worker.Options;

namespace Vespa.Worker.Sessions;

/// <summary>
/// <c>POST /pyworker/update</c> (vast-protocol.md §4.3): with <c>Authorization</c> equal to
/// <c>MASTER_TOKEN</c> (with or without <c>Bearer </c>), creates the empty file vast.ai's rolling
/// update looks for. Unlike the SDK, an unset <c>MASTER_TOKEN</c> authorises nobody.
/// </summary>
internal sealed class PyworkerUpdateEndpoint
{
    private readonly WorkerOptions _options;

    public PyworkerUpdateEndpoint(WorkerOptions options)
    {
        _options = options;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var presented = context.Request.Headers.Authorization.ToString();
        if (presented.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            presented = presented["Bearer ".Length..];
        }

        if (_options.MasterToken.Length == 0
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(_options.MasterToken)))
        {
            await WorkerErrorWriter.WriteAsync(context, new WorkerError(StatusCodes.Status401Unauthorized, "unauthorized"));
            return;
        }

        try
        {
            await File.WriteAllBytesAsync(_options.ForceUpdateFile, [], context.RequestAborted);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await WorkerErrorWriter.WriteAsync(context, new WorkerError(StatusCodes.Status500InternalServerError, "failed to write file: " + ex.Message));
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("{\"ok\":true}", context.RequestAborted);
    }
}
