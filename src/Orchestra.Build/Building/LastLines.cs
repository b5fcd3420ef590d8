namespace Orchestra.Build.Building;

/// <summary>The last lines a process printed, kept for its report when it fails; safe to add to from its two output pipes.</summary>
internal sealed class LastLines(int capacity)
{
    private readonly Queue<string> lines = new();

    public void Add(string line)
    {
        lock (lines)
        {
            lines.Enqueue(line);
            if (lines.Count > capacity)
                lines.Dequeue();
        }
    }

    public IReadOnlyList<string> ToList()
    {
        lock (lines)
            return lines.ToList();
    }
}
