using System.Globalization;
using System.Text;
using Prometheus;

namespace Vespa.Worker.Tests.Infrastructure;

/// <summary>One sample line of the Prometheus text format: series name, labels and value.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    /// <summary>Parses every sample line of a scrape (comments skipped); throws on a line it cannot read.</summary>
    public static IReadOnlyList<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!line.StartsWith('#'))
            {
                samples.Add(ParseLine(line));
            }
        }

        return samples;
    }

    /// <summary>The text a registry would serve on <c>/metrics</c>.</summary>
    public static async Task<string> ScrapeAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static PrometheusSample ParseLine(string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var nameEnd = line.IndexOfAny(['{', ' ']);
        var name = line[..nameEnd];
        var position = nameEnd;
        if (line[position] == '{')
        {
            position++;
            while (line[position] != '}')
            {
                var equals = line.IndexOf('=', position);
                var key = line[position..equals];
                var labelValue = new StringBuilder();
                position = equals + 2; // past ="
                while (line[position] != '"')
                {
                    if (line[position] == '\\')
                    {
                        position++;
                        labelValue.Append(line[position] == 'n' ? '\n' : line[position]);
                    }
                    else
                    {
                        labelValue.Append(line[position]);
                    }

                    position++;
                }

                labels[key] = labelValue.ToString();
                position++; // past the closing quote
                if (line[position] == ',')
                {
                    position++;
                }
            }

            position++; // past }
        }

        var value = line[position..].Trim().Split(' ')[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            var number => double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new PrometheusSample(name, labels, value);
    }
}
