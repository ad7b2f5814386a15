namespace Vespa.Deploy.Tests.Support;

/// <summary>Files of the repository the tests check (the tests run from their bin folder).</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string StartServerScript => Path.Combine(Root, "scripts", "start_server.sh");

    public static string FetchNativeScript => Path.Combine(Root, "scripts", "fetch-llama-native.sh");

    public static string Dockerfile => Path.Combine(Root, "Dockerfile");

    public static string DockerIgnore => Path.Combine(Root, ".dockerignore");

    /// <summary>The worker as built next to the tests (the referenced project's apphost).</summary>
    public static string WorkerExecutable => Path.Combine(AppContext.BaseDirectory, "vespa-worker");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Vespa.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Vespa.sln not found above " + AppContext.BaseDirectory);
    }
}
