"""The word lists behind the built-in corpus's sentences, written for this course.

Every list is plain English chosen by hand for two things: sentences that read
naturally, and broad phoneme coverage. Rare English sounds are deliberately
present — /ʒ/ (measure, garage, vision, beige), /ɔɪ/ (boy, noise, voice),
/ʊ/ (book, wood, sugar), /θ/ and /ð/ (thunder, weather), /tʃ/ and /dʒ/
(cheese, judge), /ŋ/ (song, morning), /aʊ/ (cloud, mountain) — so every
phoneme gets enough examples for duration and alignment models.

Nouns are ``(singular, plural)`` pairs, verbs ``(base, third person, past, -ing)``
tuples, so no inflection rules are needed when sentences are generated.
"""

from __future__ import annotations

MALE_NAMES = (
    "Adam", "Arthur", "Ben", "Carlos", "Daniel", "David", "Edward", "Felix", "George", "Harry",
    "Hugo", "Isaac", "Jack", "James", "Joseph", "Kevin", "Leo", "Lucas", "Marcus", "Martin",
    "Nathan", "Oliver", "Oscar", "Patrick", "Peter", "Ray", "Robert", "Roy", "Samuel", "Thomas",
    "Victor", "Walter", "William", "Zachary", "Jerome", "Gustav", "Theo", "Vincent",
)

FEMALE_NAMES = (
    "Alice", "Amelia", "Anna", "Beatrice", "Chloe", "Clara", "Diana", "Eleanor", "Emma", "Grace",
    "Hannah", "Helen", "Irene", "Isabel", "Jane", "Joy", "Julia", "Karen", "Laura", "Lily",
    "Lucy", "Maria", "Martha", "Nora", "Olivia", "Paula", "Rachel", "Rose", "Ruth", "Sarah",
    "Sophie", "Susan", "Vera", "Zoe", "Genevieve", "Judith", "Yvonne", "Thea",
)

SURNAMES = (
    "Baker", "Bishop", "Brooks", "Carter", "Chen", "Clarke", "Cooper", "Davies", "Fisher", "Foster",
    "Garcia", "Gordon", "Hughes", "Jackson", "Johnson", "King", "Lopez", "Marsh", "Miller", "Moore",
    "Murphy", "Nolan", "Owens", "Parker", "Reed", "Rivera", "Shaw", "Stone", "Taylor", "Thornton",
    "Turner", "Walsh", "Watson", "Wood", "Young", "Boyle", "Hoyt", "Jarvis",
)

# Titles are written abbreviated so the normaliser has work to do ("Dr." -> "doctor").
TITLES = ("Dr.", "Mr.", "Mrs.", "Ms.", "Prof.")

CITIES = (
    "Boston", "Chicago", "Denver", "Dublin", "Edinburgh", "Glasgow", "Houston", "Lisbon", "London",
    "Madrid", "Melbourne", "Montreal", "Munich", "Nairobi", "Oslo", "Paris", "Prague", "Rome",
    "Seattle", "Sydney", "Tokyo", "Toronto", "Vienna", "Warsaw", "Zurich", "Cairo", "Geneva",
    "Helsinki", "Athens", "Berlin", "Brussels", "Quebec", "Vancouver", "Bombay", "Shanghai",
)

COUNTRIES = (
    "Brazil", "Canada", "Chile", "China", "Egypt", "England", "France", "Germany", "Ghana", "Greece",
    "Iceland", "India", "Ireland", "Italy", "Japan", "Kenya", "Mexico", "Norway", "Peru", "Poland",
    "Portugal", "Scotland", "Spain", "Sweden", "Switzerland", "Turkey", "Wales", "Vietnam",
)

# Places one goes "to the ..." / is "at the ...".
PLACES = (
    "airport", "bakery", "bank", "beach", "bridge", "castle", "cathedral", "church", "cinema",
    "clinic", "factory", "farm", "garage", "garden", "harbour", "hospital", "hotel", "island",
    "kitchen", "library", "market", "museum", "office", "park", "pharmacy", "platform", "post office",
    "river", "school", "shop", "stadium", "station", "studio", "theatre", "university", "village",
    "warehouse", "zoo", "lake", "mountain", "valley", "forest", "cottage", "lighthouse", "courthouse",
)

STREETS = ("Oak", "Elm", "Maple", "Church", "Mill", "Bridge", "Harbour", "Queen", "North", "Park", "Station", "High")

NOUNS = (
    ("apple", "apples"), ("bag", "bags"), ("ball", "balls"), ("basket", "baskets"), ("bell", "bells"),
    ("bicycle", "bicycles"), ("blanket", "blankets"), ("boat", "boats"), ("book", "books"),
    ("bottle", "bottles"), ("box", "boxes"), ("bread roll", "bread rolls"), ("brush", "brushes"),
    ("bucket", "buckets"), ("button", "buttons"), ("cake", "cakes"), ("camera", "cameras"),
    ("candle", "candles"), ("cap", "caps"), ("card", "cards"), ("carpet", "carpets"), ("chair", "chairs"),
    ("clock", "clocks"), ("coat", "coats"), ("coin", "coins"), ("computer", "computers"), ("cup", "cups"),
    ("desk", "desks"), ("dish", "dishes"), ("door", "doors"), ("drawing", "drawings"), ("drum", "drums"),
    ("envelope", "envelopes"), ("feather", "feathers"), ("fence", "fences"), ("flag", "flags"),
    ("flower", "flowers"), ("fork", "forks"), ("glove", "gloves"), ("guitar", "guitars"),
    ("hammer", "hammers"), ("hat", "hats"), ("jacket", "jackets"), ("jar", "jars"), ("jewel", "jewels"),
    ("key", "keys"), ("kettle", "kettles"), ("knife", "knives"), ("ladder", "ladders"), ("lamp", "lamps"),
    ("leaf", "leaves"), ("letter", "letters"), ("map", "maps"), ("match", "matches"), ("mirror", "mirrors"),
    ("nail", "nails"), ("necklace", "necklaces"), ("newspaper", "newspapers"), ("notebook", "notebooks"),
    ("orange", "oranges"), ("painting", "paintings"), ("parcel", "parcels"), ("pen", "pens"),
    ("pencil", "pencils"), ("piano", "pianos"), ("picture", "pictures"), ("pillow", "pillows"),
    ("plate", "plates"), ("pocket watch", "pocket watches"), ("puzzle", "puzzles"), ("radio", "radios"),
    ("ribbon", "ribbons"), ("ring", "rings"), ("rope", "ropes"), ("ruler", "rulers"), ("saucer", "saucers"),
    ("scarf", "scarves"), ("shell", "shells"), ("shoe", "shoes"), ("sofa", "sofas"), ("spoon", "spoons"),
    ("stamp", "stamps"), ("stone", "stones"), ("suitcase", "suitcases"), ("sweater", "sweaters"),
    ("table", "tables"), ("teapot", "teapots"), ("telephone", "telephones"), ("television", "televisions"),
    ("ticket", "tickets"), ("toy", "toys"), ("towel", "towels"), ("treasure chest", "treasure chests"),
    ("trumpet", "trumpets"), ("umbrella", "umbrellas"), ("vase", "vases"), ("violin", "violins"),
    ("wallet", "wallets"), ("wheel", "wheels"), ("whistle", "whistles"), ("window", "windows"),
    ("woollen sock", "woollen socks"), ("wooden spoon", "wooden spoons"), ("yoghurt pot", "yoghurt pots"),
    ("zipper", "zippers"), ("garage door", "garage doors"), ("oyster", "oysters"), ("thimble", "thimbles"),
)

CONTAINERS = ("box", "basket", "suitcase", "drawer", "bucket", "jar", "cupboard", "chest", "bag", "tin")

ANIMALS = (
    ("bear", "bears"), ("bird", "birds"), ("cat", "cats"), ("cow", "cows"), ("deer", "deer"),
    ("dog", "dogs"), ("dolphin", "dolphins"), ("donkey", "donkeys"), ("duck", "ducks"), ("eagle", "eagles"),
    ("elephant", "elephants"), ("fox", "foxes"), ("frog", "frogs"), ("giraffe", "giraffes"),
    ("goat", "goats"), ("goose", "geese"), ("hedgehog", "hedgehogs"), ("horse", "horses"),
    ("kangaroo", "kangaroos"), ("kitten", "kittens"), ("lion", "lions"), ("mouse", "mice"),
    ("owl", "owls"), ("parrot", "parrots"), ("penguin", "penguins"), ("pig", "pigs"), ("puppy", "puppies"),
    ("rabbit", "rabbits"), ("seal", "seals"), ("sheep", "sheep"), ("squirrel", "squirrels"),
    ("swan", "swans"), ("tiger", "tigers"), ("tortoise", "tortoises"), ("whale", "whales"),
    ("wolf", "wolves"), ("zebra", "zebras"), ("oxen", "oxen"),
)

FOODS = (
    "bread", "butter", "cheese", "chicken soup", "chocolate", "coffee", "cream", "honey", "jam",
    "lemonade", "milk", "mushroom pie", "orange juice", "pasta", "pepper", "porridge", "potato salad",
    "rice", "salmon", "sausages", "strawberries", "sugar", "tea", "tomato soup", "vegetable stew",
    "vanilla ice cream", "walnut cake", "garlic bread", "boiled eggs", "cherry tart", "pumpkin soup",
    "beige toffee", "sugar cookies", "apple juice", "oysters",
)

JOBS = (
    "baker", "builder", "carpenter", "chef", "dentist", "doctor", "driver", "engineer", "farmer",
    "firefighter", "gardener", "journalist", "judge", "lawyer", "librarian", "mechanic", "musician",
    "nurse", "painter", "pilot", "plumber", "police officer", "postman", "sailor", "scientist",
    "singer", "soldier", "teacher", "tailor", "waiter", "photographer", "shepherd", "jeweller",
    "surgeon", "cashier", "architect", "translator",
)

COLOURS = (
    "black", "blue", "brown", "golden", "green", "grey", "orange", "pink", "purple", "red", "silver",
    "white", "yellow", "beige", "turquoise", "crimson", "violet",
)

ADJECTIVES = (
    "ancient", "angry", "beautiful", "big", "bright", "broken", "busy", "calm", "careful", "cheerful",
    "clean", "clever", "cold", "comfortable", "curious", "damp", "dark", "delicate", "dirty", "dusty",
    "early", "elegant", "empty", "enormous", "famous", "fancy", "fragile", "fresh", "friendly", "full",
    "gentle", "good", "heavy", "huge", "hungry", "joyful", "large", "lazy", "light", "little", "lonely",
    "long", "loud", "lucky", "modern", "mysterious", "narrow", "new", "noisy", "old", "ordinary",
    "patient", "peaceful", "plain", "polite", "proud", "quiet", "rare", "rough", "round", "royal",
    "rusty", "shiny", "short", "shy", "simple", "sleepy", "small", "smooth", "soft", "strange",
    "strong", "sturdy", "sweet", "tall", "thick", "thin", "tiny", "tired", "unusual", "warm", "wet",
    "wide", "wild", "wise", "wooden", "woollen", "young", "thirsty", "jealous", "generous", "visual",
)

# (base, third person singular, past, present participle)
VERBS = (
    ("bake", "bakes", "baked", "baking"), ("borrow", "borrows", "borrowed", "borrowing"),
    ("bring", "brings", "brought", "bringing"), ("build", "builds", "built", "building"),
    ("buy", "buys", "bought", "buying"), ("carry", "carries", "carried", "carrying"),
    ("catch", "catches", "caught", "catching"), ("choose", "chooses", "chose", "choosing"),
    ("clean", "cleans", "cleaned", "cleaning"), ("collect", "collects", "collected", "collecting"),
    ("cook", "cooks", "cooked", "cooking"), ("draw", "draws", "drew", "drawing"),
    ("drop", "drops", "dropped", "dropping"), ("find", "finds", "found", "finding"),
    ("fix", "fixes", "fixed", "fixing"), ("forget", "forgets", "forgot", "forgetting"),
    ("give away", "gives away", "gave away", "giving away"), ("hide", "hides", "hid", "hiding"),
    ("hold", "holds", "held", "holding"), ("keep", "keeps", "kept", "keeping"),
    ("lose", "loses", "lost", "losing"), ("measure", "measures", "measured", "measuring"),
    ("mend", "mends", "mended", "mending"), ("move", "moves", "moved", "moving"),
    ("notice", "notices", "noticed", "noticing"), ("open", "opens", "opened", "opening"),
    ("order", "orders", "ordered", "ordering"), ("paint", "paints", "painted", "painting"),
    ("pack", "packs", "packed", "packing"), ("pick up", "picks up", "picked up", "picking up"),
    ("polish", "polishes", "polished", "polishing"), ("push", "pushes", "pushed", "pushing"),
    ("pull", "pulls", "pulled", "pulling"), ("sell", "sells", "sold", "selling"),
    ("send", "sends", "sent", "sending"), ("share", "shares", "shared", "sharing"),
    ("show", "shows", "showed", "showing"), ("steal", "steals", "stole", "stealing"),
    ("take", "takes", "took", "taking"), ("throw", "throws", "threw", "throwing"),
    ("wash", "washes", "washed", "washing"), ("wrap", "wraps", "wrapped", "wrapping"),
    ("enjoy", "enjoys", "enjoyed", "enjoying"), ("destroy", "destroys", "destroyed", "destroying"),
    ("examine", "examines", "examined", "examining"), ("treasure", "treasures", "treasured", "treasuring"),
    ("weigh", "weighs", "weighed", "weighing"), ("judge", "judges", "judged", "judging"),
)

# Intransitive verbs of motion or activity: (base, third person, past, -ing)
ACTIVITIES = (
    ("arrive", "arrives", "arrived", "arriving"), ("cry", "cries", "cried", "crying"),
    ("dance", "dances", "danced", "dancing"), ("laugh", "laughs", "laughed", "laughing"),
    ("listen", "listens", "listened", "listening"), ("play", "plays", "played", "playing"),
    ("rest", "rests", "rested", "resting"), ("run", "runs", "ran", "running"),
    ("shout", "shouts", "shouted", "shouting"), ("sing", "sings", "sang", "singing"),
    ("sleep", "sleeps", "slept", "sleeping"), ("smile", "smiles", "smiled", "smiling"),
    ("swim", "swims", "swam", "swimming"), ("travel", "travels", "travelled", "travelling"),
    ("wait", "waits", "waited", "waiting"), ("walk", "walks", "walked", "walking"),
    ("whisper", "whispers", "whispered", "whispering"), ("work", "works", "worked", "working"),
    ("write", "writes", "wrote", "writing"), ("read", "reads", "read", "reading"),
    ("study", "studies", "studied", "studying"), ("climb", "climbs", "climbed", "climbing"),
    ("jump", "jumps", "jumped", "jumping"), ("paint", "paints", "painted", "painting"),
    ("relax", "relaxes", "relaxed", "relaxing"), ("think", "thinks", "thought", "thinking"),
    ("shiver", "shivers", "shivered", "shivering"), ("yawn", "yawns", "yawned", "yawning"),
)

ADVERBS = (
    "always", "anxiously", "bravely", "briefly", "calmly", "carefully", "cheerfully", "eagerly",
    "easily", "gently", "gladly", "happily", "honestly", "loudly", "nervously", "never", "often",
    "patiently", "politely", "quickly", "quietly", "rarely", "slowly", "softly", "sometimes",
    "suddenly", "usually", "warmly", "wisely", "thoroughly", "casually", "joyfully",
)

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)

TIME_PHRASES = (
    "yesterday", "today", "tomorrow", "last night", "this morning", "this evening", "at noon",
    "at midnight", "after lunch", "before breakfast", "last week", "next year", "every summer",
    "in the afternoon", "at dawn", "around sunset", "during the storm", "on the weekend",
    "after the concert", "in the spring", "once upon a time", "the other day", "later that evening",
)

WEATHER = (
    "It is raining heavily", "The wind is blowing from the north", "There was thunder all night",
    "The sky is clear and blue", "It snowed in the mountains", "The fog is very thick",
    "The weather is warm and sunny", "A cold breeze came off the sea", "Clouds gathered over the hills",
    "The sun is shining brightly", "A rainbow appeared over the valley", "The air smells of pine trees",
    "Hail rattled on the roof", "The river is frozen solid", "It is too humid to think",
)

FEELINGS = (
    "happy", "sad", "surprised", "worried", "excited", "pleased", "annoyed", "amazed", "puzzled",
    "thrilled", "embarrassed", "grateful", "nervous", "delighted", "confused", "relieved", "jealous",
)

INTERJECTIONS = ("Oh", "Wow", "Well", "Look", "Hey", "Goodness", "Oh no", "Hooray", "Ah", "Hmm", "Listen")

CONNECTIVES = ("and", "but", "because", "so", "while", "although", "until", "after", "before", "when")

GREETINGS = (
    "Good morning", "Good afternoon", "Good evening", "Hello", "Hi there", "Welcome back",
    "Nice to meet you", "How lovely to see you",
)
