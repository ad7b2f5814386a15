using System.Runtime.InteropServices;

namespace Vespa.Engine.Native;

/// <summary><c>struct llama_perf_context_data</c>: 48 bytes, returned by value from <c>llama_perf_context</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaPerfContextData
{
    /// <summary>Absolute start time (ms). Offset 0.</summary>
    public double t_start_ms;

    /// <summary>Time to load the model (ms). Offset 8.</summary>
    public double t_load_ms;

    /// <summary>Time to process the prompt (ms). Offset 16.</summary>
    public double t_p_eval_ms;

    /// <summary>Time to generate tokens (ms). Offset 24.</summary>
    public double t_eval_ms;

    /// <summary>Number of prompt tokens. Offset 32.</summary>
    public int n_p_eval;

    /// <summary>Number of generated tokens. Offset 36.</summary>
    public int n_eval;

    /// <summary>Number of times a compute graph was reused. Offset 40.</summary>
    public int n_reused;
}
