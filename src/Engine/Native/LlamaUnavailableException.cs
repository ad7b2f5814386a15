namespace Vespa.Engine.Native;

/// <summary>
/// The in-process llama.cpp engine cannot run: the native libraries are absent, cannot be loaded, or do not match
/// the v0.5.0 ABI these bindings were written for. The message says what is missing and how to fix it; the worker
/// shows it when it falls back to an external backend.
/// </summary>
public sealed class LlamaUnavailableException : Exception
{
    public LlamaUnavailableException()
        : base("The llama.cpp native libraries are unavailable.")
    {
    }

    public LlamaUnavailableException(string message)
        : base(message)
    {
    }

    public LlamaUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
