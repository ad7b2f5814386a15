namespace Vespa.Client;

/// <summary>vespa-client's process exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Done (for long-running commands: stopped by Ctrl+C or SIGTERM).</summary>
    public const int Success = 0;

    /// <summary>A runtime failure, e.g. the listen port is taken.</summary>
    public const int Failure = 1;

    /// <summary>Bad command line: unknown option, bad value, missing argument, conflicting options.</summary>
    public const int Usage = 2;
}
