using System.Runtime.InteropServices;

namespace Vespa.Engine.Native;

/// <summary>
/// Base of the handles that own a llama.cpp object (house rule 14): invalid when NULL, released exactly once by
/// the matching free function, even when the owner forgets to dispose it.
/// </summary>
internal abstract class SafeLlamaHandleBase : SafeHandle
{
    protected SafeLlamaHandleBase()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;
}
