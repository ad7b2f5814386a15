using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Vespa.Emulator;

/// <summary>
/// A <c>POST /_emulator/faults</c> body:
/// <c>{"operation": "worker_status", "count": 3, "status": 500, "delay_seconds": 2.5}</c> sets a fault (<c>count</c> -1
/// = until cleared; at least one of <c>status</c> and <c>delay_seconds</c>),
/// <c>{"operation": "route", "clear": true}</c> clears one, <c>{"clear": true}</c> clears all.
/// </summary>
internal static class FaultRequest
{
    public static bool TryApply(string json, EmulatorFaults faults, [NotNullWhen(false)] out string? error)
    {
        if (!ReportFieldReader.TryParseObject(json, out var document, out error))
        {
            return false;
        }

        using (document)
        {
            string? name = null;
            bool? clear = null;
            long count = 1;
            long status = 0;
            double delay = 0;
            var hasStatus = false;
            var hasDelay = false;
            foreach (var property in document!.RootElement.EnumerateObject())
            {
                var value = property.Value;
                var ok = property.Name switch
                {
                    "operation" => ReportFieldReader.TryReadString(value, "operation", ref name, out error),
                    "clear" => ReportFieldReader.TryReadBoolean(value, "clear", ref clear, out error),
                    "count" => ReportFieldReader.TryReadInteger(value, "count", ref count, out error),
                    "status" => ReportFieldReader.TryReadInteger(value, "status", ref status, out error) && Mark(ref hasStatus, value),
                    "delay_seconds" => ReportFieldReader.TryReadNumber(value, "delay_seconds", ref delay, out error) && Mark(ref hasDelay, value),
                    _ => true,
                };
                if (!ok)
                {
                    error ??= "invalid field '" + property.Name + "'";
                    return false;
                }
            }

            EmulatorOperation operation = default;
            if (name is not null && !EmulatorOperationNames.TryParse(name, out operation))
            {
                error = $"unknown operation '{name}'; expected one of {string.Join(", ", EmulatorOperationNames.All.Select(EmulatorOperationNames.ToName))}";
                return false;
            }

            if (clear == true)
            {
                if (name is null)
                {
                    faults.ClearAll();
                }
                else
                {
                    faults.Clear(operation);
                }

                error = null;
                return true;
            }

            if (name is null)
            {
                error = "missing 'operation' (or 'clear': true)";
                return false;
            }

            if (!hasStatus && !hasDelay)
            {
                error = "a fault needs 'status' (400-599), 'delay_seconds', or both";
                return false;
            }

            if (count is < -1 or > int.MaxValue || status is < 400 or > 599 && hasStatus || delay is < 0 or > 3600)
            {
                error = "'count' must be -1 (until cleared) or 0 or more, 'status' 400-599, 'delay_seconds' 0-3600";
                return false;
            }

            faults.Set(operation, new EmulatorFault(
                count == -1 ? int.MaxValue : (int)count,
                hasStatus ? (int)status : null,
                TimeSpan.FromSeconds(delay)));
            error = null;
            return true;
        }
    }

    private static bool Mark(ref bool flag, JsonElement value)
    {
        flag = value.ValueKind != JsonValueKind.Null;
        return true;
    }
}
