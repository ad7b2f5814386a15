namespace Vespa.Worker.Options;

/// <summary>Thrown when the environment holds values the worker cannot start with; lists every problem.</summary>
public sealed class WorkerOptionsException : Exception
{
    public WorkerOptionsException(IReadOnlyList<string> errors)
        : base("Invalid worker configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  - " + e)))
    {
        Errors = errors;
    }

    public WorkerOptionsException()
        : this([])
    {
    }

    public WorkerOptionsException(string message)
        : base(message)
    {
        Errors = [message];
    }

    public WorkerOptionsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public IReadOnlyList<string> Errors { get; }
}
