namespace Vespa.Engine.Scheduling;

/// <summary>A generation was submitted after the inference loop died; the message says why it died.</summary>
public sealed class EngineUnavailableException : Exception
{
    public EngineUnavailableException()
        : base("The inference loop is not running.")
    {
    }

    public EngineUnavailableException(string message)
        : base(message)
    {
    }

    public EngineUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
