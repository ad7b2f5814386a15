namespace Vespa.Emulator.Page;

/// <summary>The live page's HTML, embedded in the assembly (Page/emulator.html), with a slot for the inlined state.</summary>
internal static class PageTemplate
{
    /// <summary>Where the state JSON goes in the template.</summary>
    public const string StateSlot = "/*STATE*/null";

    private const string ResourceName = "Vespa.Emulator.Page.emulator.html";

    private static readonly Lazy<string> Template = new(Load);

    /// <summary>The page with <paramref name="stateJson"/> inlined; the JSON must escape '&lt;' (the default encoder
    /// does), so that it cannot end the script element it sits in.</summary>
    public static string Render(string stateJson)
    {
        ArgumentNullException.ThrowIfNull(stateJson);
        return Template.Value.Replace(StateSlot, stateJson, StringComparison.Ordinal);
    }

    private static string Load()
    {
        using var stream = typeof(PageTemplate).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The page resource {ResourceName} is missing from {typeof(PageTemplate).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        var html = reader.ReadToEnd();
        if (!html.Contains(StateSlot, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The page resource {ResourceName} has no {StateSlot} slot.");
        }

        return html;
    }
}
