using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Vespa.Worker.Tests.Infrastructure;

/// <summary>
/// Makes a worker's named <see cref="HttpClient"/> throw an unexpected exception (not an <see cref="HttpRequestException"/>,
/// which every caller expects) for the next N requests that match: the way to inject a failing iteration into a
/// background loop through its real dependencies.
/// </summary>
internal sealed class HttpFaults
{
    private readonly Lock _lock = new();
    private int _remaining;
    private Func<HttpRequestMessage, bool> _matches = _ => true;
    private int _thrown;

    /// <summary>How many requests were made to fail so far.</summary>
    public int Thrown => Volatile.Read(ref _thrown);

    /// <summary>The next <paramref name="count"/> matching requests throw <see cref="InvalidOperationException"/>.</summary>
    public void ThrowNext(int count, Func<HttpRequestMessage, bool>? where = null)
    {
        lock (_lock)
        {
            _remaining = count;
            _matches = where ?? (_ => true);
        }
    }

    /// <summary>Adds the fault handler to the worker's client named <paramref name="clientName"/>.</summary>
    public Action<WebApplicationBuilder> On(string clientName) =>
        builder => builder.Services.AddHttpClient(clientName).AddHttpMessageHandler(() => new Handler(this));

    private bool TryTake(HttpRequestMessage request)
    {
        lock (_lock)
        {
            if (_remaining <= 0 || !_matches(request))
            {
                return false;
            }

            _remaining--;
            _thrown++;
            return true;
        }
    }

    private sealed class Handler(HttpFaults faults) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            faults.TryTake(request)
                ? throw new InvalidOperationException("injected fault for " + request.RequestUri)
                : base.SendAsync(request, cancellationToken);
    }
}
