using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Vespa.Deploy.Tests.Support;

/// <summary>An environment snapshot that remembers every name looked up in it (set or not).</summary>
internal sealed class RecordingEnvironment : IReadOnlyDictionary<string, string>
{
    private readonly Dictionary<string, string> _values;

    public RecordingEnvironment(IDictionary<string, string> values)
    {
        _values = new Dictionary<string, string>(values, StringComparer.Ordinal);
    }

    public SortedSet<string> LookedUp { get; } = new(StringComparer.Ordinal);

    public int Count => _values.Count;

    public IEnumerable<string> Keys => _values.Keys;

    public IEnumerable<string> Values => _values.Values;

    public string this[string key]
    {
        get
        {
            LookedUp.Add(key);
            return _values[key];
        }
    }

    public bool ContainsKey(string key)
    {
        LookedUp.Add(key);
        return _values.ContainsKey(key);
    }

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        LookedUp.Add(key);
        return _values.TryGetValue(key, out value);
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
