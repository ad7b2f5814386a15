using System.Globalization;
using System.Text.Json;

namespace Vespa.Worker.Admission;

/// <summary>
/// Turns a request's <c>auth_data.cost</c> into the workload it is accounted with (vast-protocol.md §5.1, claudius
/// rule). The autoscaler signed the request, so a cost is never a reason to refuse it; instead:
/// <list type="bullet">
/// <item>a finite number in [0, <c>VESPA_MAX_COST</c>] is the workload, except that a cost &lt;= 1 becomes
/// <c>VESPA_DEFAULT_COST</c> when that is set (as the claudius worker does);</item>
/// <item>a larger number (also one too large for a double, or <c>"inf"</c>) becomes <c>VESPA_MAX_COST</c>;</item>
/// <item>a negative number, or something that is not a number at all (a non-numeric string, <c>NaN</c>,
/// <c>null</c>, a boolean, an array, an object), becomes the default workload: <c>VESPA_DEFAULT_COST</c>, else 1.</item>
/// </list>
/// A number is a JSON number or a string Python's <c>float()</c> would read; <c>-0.0</c> is 0.
/// </summary>
internal static class WorkloadPolicy
{
    public static double FromCost(JsonElement cost, double? defaultCost, double maxCost, out CostAdjustment adjustment)
    {
        var fallback = defaultCost ?? 1.0;
        if (!TryReadNumber(cost, out var value))
        {
            adjustment = CostAdjustment.NotANumber;
            return fallback;
        }

        if (double.IsNaN(value))
        {
            adjustment = CostAdjustment.NotANumber;
            return fallback;
        }

        if (value < 0)
        {
            adjustment = CostAdjustment.Negative;
            return fallback;
        }

        if (value > maxCost)
        {
            adjustment = CostAdjustment.AboveMax;
            return maxCost;
        }

        adjustment = CostAdjustment.None;
        // "+ 0.0" turns -0.0 into 0.0.
        return value <= 1 && defaultCost is { } small ? small : value + 0.0;
    }

    /// <summary>Reads a JSON number or numeric string; a number token too large for a double reads as ±infinity.</summary>
    private static bool TryReadNumber(JsonElement cost, out double value)
    {
        switch (cost.ValueKind)
        {
            case JsonValueKind.Number:
                if (cost.TryGetDouble(out value))
                {
                    return true;
                }

                // Only a magnitude beyond double's range fails to parse (tiny ones round to 0).
                value = cost.GetRawText().StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
                return true;
            case JsonValueKind.String:
                // Python's float() accepts surrounding whitespace, "inf", "infinity" and "nan" in any case.
                var text = cost.GetString()!.Trim();
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
                {
                    return true;
                }

                var unsigned = text.Length > 0 && text[0] is '+' or '-' ? text[1..] : text;
                if (unsigned.Equals("inf", StringComparison.OrdinalIgnoreCase) || unsigned.Equals("infinity", StringComparison.OrdinalIgnoreCase))
                {
                    value = text.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
                    return true;
                }

                if (unsigned.Equals("nan", StringComparison.OrdinalIgnoreCase))
                {
                    value = double.NaN;
                    return true;
                }

                return false;
            default:
                value = 0;
                return false;
        }
    }
}
