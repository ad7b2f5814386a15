namespace Vespa.Deploy.Tests.Support;

/// <summary>Every project under src/, tests/ and perf/ (build outputs skipped), read from its .csproj.</summary>
internal sealed class ProjectGraph
{
    private static readonly string[] Areas = ["src", "tests", "perf"];

    private ProjectGraph(IReadOnlyDictionary<string, ProjectFile> projects)
    {
        Projects = projects;
    }

    /// <summary>The projects by repository-relative path, e.g. <c>src/Worker/Vespa.Worker.csproj</c>.</summary>
    public IReadOnlyDictionary<string, ProjectFile> Projects { get; }

    public static ProjectGraph Load(string root)
    {
        var projects = Areas
            .Select(area => System.IO.Path.Combine(root, area))
            .Where(Directory.Exists)
            .SelectMany(dir => Directory.EnumerateFiles(dir, "*.csproj", SearchOption.AllDirectories))
            .Where(path => !path.Replace('\\', '/').Split('/').Any(part => part is "bin" or "obj"))
            .Select(path => ProjectFile.Load(root, path))
            .ToDictionary(p => p.Path, StringComparer.Ordinal);
        return new ProjectGraph(projects);
    }

    public ProjectFile this[string path] => Projects[path];

    /// <summary><paramref name="path"/> and every project it references, directly or not.</summary>
    public IReadOnlySet<string> Closure(string path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([path]);
        while (pending.TryPop(out var next))
        {
            if (seen.Add(next) && Projects.TryGetValue(next, out var project))
            {
                foreach (var reference in project.References)
                {
                    pending.Push(reference.Path);
                }
            }
        }

        return seen;
    }

    /// <summary>A reference cycle, as a list of paths, or null when the graph is acyclic.</summary>
    public IReadOnlyList<string>? FindCycle()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on the stack, 2 done
        var stack = new List<string>();
        IReadOnlyList<string>? Visit(string path)
        {
            state[path] = 1;
            stack.Add(path);
            foreach (var reference in Projects.TryGetValue(path, out var p) ? p.References : [])
            {
                if (state.GetValueOrDefault(reference.Path) == 1)
                {
                    return [.. stack[stack.IndexOf(reference.Path)..], reference.Path];
                }

                if (state.GetValueOrDefault(reference.Path) == 0 && Visit(reference.Path) is { } cycle)
                {
                    return cycle;
                }
            }

            stack.RemoveAt(stack.Count - 1);
            state[path] = 2;
            return null;
        }

        foreach (var path in Projects.Keys.Order(StringComparer.Ordinal))
        {
            if (state.GetValueOrDefault(path) == 0 && Visit(path) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }
}
