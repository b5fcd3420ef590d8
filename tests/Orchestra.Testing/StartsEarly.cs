using Xunit.Abstractions;
using Xunit;

namespace Orchestra.Testing;

/// <summary>
/// Marks a test class whose tests take long (containers, builds, load): <see cref="StartsEarlyOrderer"/> starts its
/// collection before the quick ones, so that it runs beside them rather than last and alone. An ordering hint only;
/// nothing asserts on time.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class StartsEarlyAttribute : Attribute;

/// <summary>
/// Orders an assembly's test collections so that those with a <see cref="StartsEarlyAttribute"/> class come first;
/// xunit then starts them first on its parallel threads. The rest keep xunit's order.
/// Named for every test project of the repository in Directory.Build.targets.
/// </summary>
public sealed class StartsEarlyOrderer : ITestCollectionOrderer
{
    private const string PerClassPrefix = "Test collection for ";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(collection => StartsEarly(collection) ? 0 : 1);

    private static bool StartsEarly(ITestCollection collection)
    {
        var type = collection.CollectionDefinition
            ?? (collection.DisplayName.StartsWith(PerClassPrefix, StringComparison.Ordinal)
                ? collection.TestAssembly.Assembly.GetType(collection.DisplayName[PerClassPrefix.Length..])
                : null);
        return type?.GetCustomAttributes(typeof(StartsEarlyAttribute).AssemblyQualifiedName).Any() == true;
    }
}
