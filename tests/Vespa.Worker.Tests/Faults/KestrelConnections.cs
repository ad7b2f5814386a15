using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace Vespa.Worker.Tests.Faults;

/// <summary>
/// Open connections per Kestrel listening port, from Kestrel's own <c>kestrel.active_connections</c> instrument. Start
/// it before the server: it counts the ups and downs it sees.
/// </summary>
internal sealed class KestrelConnections : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<int, long> _active = new();

    public KestrelConnections()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Microsoft.AspNetCore.Server.Kestrel" && instrument.Name == "kestrel.active_connections")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var port = -1;
            foreach (var tag in tags)
            {
                if (tag.Key == "server.port")
                {
                    port = Convert.ToInt32(tag.Value, CultureInfo.InvariantCulture);
                }
            }

            _active.AddOrUpdate(port, value, (_, total) => total + value);
        });
        _listener.Start();
    }

    /// <summary>Connections open now on <paramref name="port"/>.</summary>
    public long Active(int port) => _active.GetValueOrDefault(port);

    public void Dispose() => _listener.Dispose();
}
