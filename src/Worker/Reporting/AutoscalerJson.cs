using System.Text.Json;
using Vespa.Core.Json;

namespace Vespa.Worker.Reporting;

/// <summary>
/// Numbers for the autoscaler as the official worker writes them (vast-protocol.md §4): a field the SDK's
/// dataclasses hold as a Python <c>float</c> is always a JSON float (<c>100.0</c>, never <c>100</c>; the autoscaler
/// is C++ and may read types strictly), integers stay integers. Every float is checked where it is written: a
/// non-finite one (which <see cref="Utf8JsonWriter"/> refuses with an exception) is written as <c>0.0</c> and reported
/// to the caller's callback, so no value can stop a report.
/// </summary>
internal static class AutoscalerJson
{
    public static void WriteFloat(Utf8JsonWriter json, string name, double value, Action<string>? onNonFinite = null)
    {
        json.WritePropertyName(name);
        WriteFloatValue(json, name, value, onNonFinite);
    }

    public static void WriteFloatValue(Utf8JsonWriter json, string field, double value, Action<string>? onNonFinite = null)
    {
        if (!double.IsFinite(value))
        {
            onNonFinite?.Invoke(field);
            value = 0.0;
        }

        // Python's float repr: shortest round-trip digits, always with a '.' or an exponent ("100.0", "1e+16").
        json.WriteRawValue(PythonJson.FormatFloat(value), skipInputValidation: true);
    }
}
