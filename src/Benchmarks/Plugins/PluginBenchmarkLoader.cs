using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Vespa.Benchmarks.Plugins;

/// <summary>Loads a custom <see cref="IStartupBenchmark"/> from <c>path.dll:Namespace.TypeName</c>.</summary>
internal static class PluginBenchmarkLoader
{
    public const string TrimmingWarning =
        "Loads a benchmark type from an assembly chosen at run time and creates it through reflection; " +
        "code the plugin uses from the host may have been trimmed away.";

    /// <summary>Loads and instantiates the plugin; every problem is an <see cref="ArgumentException"/> saying what is wrong.</summary>
    [RequiresUnreferencedCode(TrimmingWarning)]
    public static IStartupBenchmark Load(string spec, string assemblyPath, string typeName)
    {
        var fullPath = Path.GetFullPath(assemblyPath);
        if (!File.Exists(fullPath))
        {
            throw Problem(spec, $"the plugin assembly '{fullPath}' does not exist");
        }

        var assembly = LoadAssembly(spec, fullPath);
        var type = assembly.GetType(typeName, throwOnError: false, ignoreCase: false)
            ?? throw Problem(spec, $"the assembly '{fullPath}' has no type '{typeName}'{Candidates(assembly)}");

        if (!typeof(IStartupBenchmark).IsAssignableFrom(type))
        {
            var hint = Array.Exists(type.GetInterfaces(), i => i.FullName == typeof(IStartupBenchmark).FullName)
                ? " (it implements a different copy of that interface: reference Vespa.Benchmarks, do not embed it)"
                : "";
            throw Problem(spec, $"the type '{typeName}' does not implement {typeof(IStartupBenchmark).FullName}{hint}");
        }

        if (type.IsAbstract || type.IsGenericTypeDefinition)
        {
            throw Problem(spec, $"the type '{typeName}' is abstract or generic; it must be a concrete class");
        }

        var constructor = type.GetConstructor(Type.EmptyTypes)
            ?? throw Problem(spec, $"the type '{typeName}' has no public parameterless constructor");

        object instance;
        try
        {
            instance = constructor.Invoke(null);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw new ArgumentException(
                $"Invalid benchmark '{spec}': the constructor of '{typeName}' threw {ex.InnerException.GetType().Name}: {ex.InnerException.Message}",
                ex.InnerException);
        }

        return new PluginBenchmark((IStartupBenchmark)instance, type, fullPath);
    }

    [RequiresUnreferencedCode(TrimmingWarning)]
    private static Assembly LoadAssembly(string spec, string fullPath)
    {
        try
        {
            return new PluginLoadContext(fullPath).LoadFromAssemblyPath(fullPath);
        }
        catch (BadImageFormatException ex)
        {
            throw new ArgumentException($"Invalid benchmark '{spec}': '{fullPath}' is not a .NET assembly ({ex.Message})", ex);
        }
        catch (FileLoadException ex)
        {
            throw new ArgumentException($"Invalid benchmark '{spec}': '{fullPath}' could not be loaded ({ex.Message})", ex);
        }
        catch (PlatformNotSupportedException ex)
        {
            throw new ArgumentException($"Invalid benchmark '{spec}': this build of the worker cannot load assemblies at run time (Native AOT)", ex);
        }
    }

    /// <summary>Lists the benchmark types the assembly does have, so a typo is quick to fix.</summary>
    [RequiresUnreferencedCode(TrimmingWarning)]
    private static string Candidates(Assembly assembly)
    {
        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception ex) when (ex is ReflectionTypeLoadException or FileNotFoundException or FileLoadException)
        {
            return "";
        }

        var names = types
            .Where(t => typeof(IStartupBenchmark).IsAssignableFrom(t) && !t.IsAbstract)
            .Select(t => t.FullName)
            .Order(StringComparer.Ordinal)
            .ToArray();
        return names.Length == 0
            ? "; it exports no IStartupBenchmark implementation"
            : "; benchmark types in it: " + string.Join(", ", names);
    }

    private static ArgumentException Problem(string spec, string what) =>
        new($"Invalid benchmark '{spec}': {what}. {BenchmarkFactory.AcceptedForms}");
}
