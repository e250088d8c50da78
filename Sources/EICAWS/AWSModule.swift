import EICCore
