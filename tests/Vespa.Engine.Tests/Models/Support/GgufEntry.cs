using Vespa.Engine.Models;

namespace Vespa.Engine.Tests.Models.Support;

/// <summary>
/// One metadata entry as read back. Scalars are boxed as their CLR type (uint, float, bool,
/// string, ...); arrays are typed CLR arrays (string[], float[], int[], ...) with
/// <see cref="ElementType"/> set.
/// </summary>
internal sealed record GgufEntry(string Key, GgufValueType Type, object Value, GgufValueType? ElementType);
