public enum EICCoreVersion { public static let formatVersion = "1" }
