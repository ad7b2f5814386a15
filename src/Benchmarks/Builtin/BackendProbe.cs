using System.Globalization;
using System.Net;
using System.Text.Json;
using Vespa.Benchmarks.Http;

namespace Vespa.Benchmarks.Builtin;

/// <summary>Small GETs that describe the backend (<c>/v1/models</c>, TGI <c>/info</c>), bounded by the request timeout.</summary>
internal static class BackendProbe
{
    /// <summary>
    /// Reads a string property of a JSON answer. Returns the value, or a null value with a problem
    /// saying why; only the caller's cancellation throws.
    /// </summary>
    public static async Task<(string? Value, string? Problem)> GetStringAsync(
        BenchmarkContext context, string path, Func<JsonElement, string?> select, CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(context.Options.RequestTimeout, context.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, BackendPaths.Resolve(context.Backend, path));
            using var response = await context.Backend.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (null, $"GET /{path} answered HTTP {((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)}: {BodySnippet.From(body)}");
            }

            using var document = JsonDocument.Parse(body);
            var value = select(document.RootElement);
            return string.IsNullOrEmpty(value)
                ? (null, $"GET /{path} answered without the expected field: {BodySnippet.From(body)}")
                : (value, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex)
        {
            return (null, $"GET /{path} timed out: {ex.Message}");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException)
        {
            return (null, $"GET /{path} failed: {ex.Message}");
        }
    }

    /// <summary>Property <paramref name="name"/> of an object when it is a string, else null.</summary>
    public static string? StringProperty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
