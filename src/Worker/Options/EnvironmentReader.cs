using System.Globalization;

namespace Vespa.Worker.Options;

/// <summary>
/// Reads typed values from an environment snapshot with the fallback chain
/// <c>VESPA_&lt;NAME&gt;</c> → <c>PYWORKER_&lt;NAME&gt;</c> → the SDK's own name, collecting every
/// problem so that start-up reports all bad variables at once.
/// </summary>
internal sealed class EnvironmentReader
{
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly List<string> _errors = [];

    public EnvironmentReader(IReadOnlyDictionary<string, string> environment)
    {
        _environment = environment;
    }

    public IReadOnlyList<string> Errors => _errors;

    /// <summary>Finds the first non-empty variable among the names; returns the name that matched.</summary>
    public (string Name, string Value)? Find(params string[] names)
    {
        foreach (var name in names)
        {
            if (_environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                return (name, value.Trim());
            }
        }

        return null;
    }

    public static string[] Names(string name, string? sdkName = null) =>
        sdkName is null
            ? [$"VESPA_{name}", $"PYWORKER_{name}"]
            : [$"VESPA_{name}", $"PYWORKER_{name}", sdkName];

    public string? String(string name, string? sdkName = null) => Find(Names(name, sdkName))?.Value;

    public bool? Bool(string name, string? sdkName = null)
    {
        if (Find(Names(name, sdkName)) is not var (source, value))
        {
            return null;
        }

        // Python's distutils.util.strtobool, which the official worker uses.
        switch (value.ToUpperInvariant())
        {
            case "Y" or "YES" or "T" or "TRUE" or "ON" or "1":
                return true;
            case "N" or "NO" or "F" or "FALSE" or "OFF" or "0":
                return false;
            default:
                Fail(source, value, "a boolean: true/false, yes/no, on/off, 1/0");
                return null;
        }
    }

    public int? Int(string name, int min, int max, string? sdkName = null)
    {
        var names = Names(name, sdkName);
        return Find(names) is var (source, value) ? ParseInt(source, value, min, max) : null;
    }

    public int? ParseInt(string source, string value, int min, int max)
    {
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var result) && result >= min && result <= max)
        {
            return result;
        }

        Fail(source, value, $"an integer from {min} to {max}");
        return null;
    }

    public long? Long(string name, long min, long max)
    {
        if (Find(Names(name)) is not var (source, value))
        {
            return null;
        }

        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var result) && result >= min && result <= max)
        {
            return result;
        }

        Fail(source, value, $"an integer from {min} to {max}");
        return null;
    }

    public double? Double(string name, double min, double max)
    {
        if (Find(Names(name)) is not var (source, value))
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var result)
            && double.IsFinite(result) && result >= min && result <= max)
        {
            return result;
        }

        Fail(source, value, $"a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
        return null;
    }

    /// <summary>A duration in seconds (fractions allowed), as the Python workers take them.</summary>
    public TimeSpan? Seconds(string name, double min = 0.001, double max = 86_400 * 7) =>
        Double(name, min, max) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    public void Fail(string variable, string value, string expected)
    {
        // Values can be secrets (tokens): show only a short prefix of long values.
        var shown = value.Length > 40 ? value[..40] + "…" : value;
        _errors.Add($"{variable}='{shown}' is invalid: expected {expected}.");
    }

    public void Fail(string message) => _errors.Add(message);
}
